import { mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_DIVISION, divide, type DivisionOptions } from "../division";
import { CONFIDENCE_RANGES } from "../metrics/curves";
import { DEFAULT_METRICS, getMetric, METRIC_PARAMS, metricOptionKey, metricOptionsFor } from "../metrics/registry";
import type { MetricBenchmark } from "../metrics/types";
import type { AttributionResult } from "../methods/types";
import { getMethod } from "../methods/registry";
import type { BlackBoxModel } from "../model/types";
import { checkParam, type ParamSpec } from "../params/types";
import type { Division, RgbImage, RunControl } from "../types";
import { throwIfAborted } from "../util/abort";
import { argmax } from "../util/math";
import { type EvalMethod, type MethodOptions, methodSettings, optionsOf, runMethod } from "./methods";
import { ResultsLock, type ResultsLockOptions } from "./claims";
import { appendRecord, type ClassRef, type EvalRecord, pairKey, readRecords, repairRecords } from "./records";

/** An image to evaluate: loaded only when one of its pairs still has to run. */
export interface EvalImage {
  /** The name the records use (the file name inside the images folder). */
  readonly name: string;
  /** The true class index, when known. */
  readonly trueClass?: number;
  load(): Promise<RgbImage>;
  /** The object's annotation mask at model resolution (0/1 per pixel), when one was given (RMA/RRA). */
  annotation?(): Promise<Uint8Array>;
}

/**
 * Options of the metrics every method is scored with (METHOD.md §6). Each metric's own parameters
 * (METRIC_PARAMS of src/metrics/registry.ts) go under their flag's key ({@link metricOptionKey}:
 * `steps`, `muSamples`, `muGrid`, `rsrgMasks`, `errorSubsets`, …), with each metric's default when
 * absent; the runner hands every metric only its own ({@link metricOptionsFor}), under the names it
 * declares, so two metrics may both call a parameter "samples".
 */
export interface EvalMetricOptions {
  /** Value of removed pixels, 0..255, for the metrics (default 0). */
  readonly baseline?: number;
  /** μFidelity correlation (default "spearman"). */
  readonly correlation?: "spearman" | "pearson";
  /** Area budgets of the highest confidence (default 0.25, 0.5, 0.75, 1). */
  readonly ranges?: readonly number[];
  /** A metric parameter by its key, e.g. `muSamples: 200` (--mu-samples). */
  readonly [key: string]: number | string | boolean | readonly number[] | undefined;
}

/** Keys of {@link EvalMetricOptions} that are not a metric's own parameter. */
const SHARED_METRIC_OPTIONS = ["baseline", "correlation", "ranges"];

/** Checks every metric option (unknown keys included) at once: a RangeError naming each bad one and what is allowed. */
export function checkMetricOptions(m: EvalMetricOptions): void {
  const problems: string[] = [];
  const byKey = new Map(METRIC_PARAMS.map((p) => [metricOptionKey(p), p]));
  for (const [key, value] of Object.entries(m)) {
    if (value === undefined || SHARED_METRIC_OPTIONS.includes(key)) continue;
    const spec = byKey.get(key);
    if (!spec) {
      problems.push(`unknown metric option "${key}" (allowed: ${[...SHARED_METRIC_OPTIONS, ...byKey.keys()].join(", ")})`);
      continue;
    }
    try {
      checkParam(spec, value);
    } catch (e) {
      problems.push(`metric option ${key}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new RangeError(problems.join("; "));
}

/** Progress of an evaluation: pairs done of the pairs this run has to do. */
export interface EvalProgress {
  readonly done: number;
  readonly total: number;
  readonly image: string;
  readonly method: EvalMethod;
  /** Fraction of the pair in flight done, 0..1. */
  readonly fraction: number;
  /** Set while this run waits for pairs another run holds: how many (image and method are the first of them). */
  readonly waiting?: number;
}

/** Options of {@link runEvaluation}. */
export interface EvaluationOptions extends RunControl {
  readonly model: BlackBoxModel;
  readonly images: readonly EvalImage[];
  readonly methods: readonly EvalMethod[];
  /** Explain the model's top-1 class ("predicted", default) or the true class ("true"). */
  readonly targetMode?: "predicted" | "true";
  /** The JSONL results file; existing pairs in it are skipped (resume). */
  readonly out: string;
  readonly methodOptions?: MethodOptions;
  readonly metrics?: EvalMetricOptions;
  /**
   * Which registered metrics (src/metrics/registry.ts) score every map (default DEFAULT_METRICS:
   * pixel insertion/deletion, highest confidence, μFidelity). Values of the others go to the
   * record's `metrics` object under their column keys.
   */
  readonly metricNames?: readonly string[];
  /** Seed of RISE, Kernel SHAP, LIME and μFidelity unless their own options name one (default 0). */
  readonly seed?: number;
  readonly onProgress?: (progress: EvalProgress) => void;
  /** How runs sharing `out` coordinate: lock timeout and polling, and `waitMs` between looks at pairs another run holds (default 200). */
  readonly lock?: ResultsLockOptions & { readonly waitMs?: number };
  /**
   * The shared regions of an image, when they come from outside (e.g. `--regions-from`): called
   * once per image instead of dividing it by `methodOptions.division`.
   */
  readonly divisionOf?: (image: EvalImage, rgb: RgbImage) => Promise<Division>;
}

/** What a run did: every record of the file (old and new), and how many pairs it added or skipped. */
export interface EvaluationResult {
  readonly records: EvalRecord[];
  readonly added: number;
  readonly skipped: number;
}

/** The method options with the run's seed filled in for every method that takes a seed and names none. */
function seeded(options: MethodOptions, methods: readonly EvalMethod[], seed: number): MethodOptions {
  const out: Record<string, unknown> = { ...options };
  for (const m of methods) {
    const own = optionsOf(options, m);
    if (getMethod(m).params.some((p) => p.name === "seed") && own.seed === undefined) out[m] = { seed, ...own };
  }
  return out as MethodOptions;
}

/** A metric parameter's value in force: the given one under its key, else its default. */
const metricValue = (m: EvalMetricOptions, p: ParamSpec): unknown => m[metricOptionKey(p)] ?? p.default;

/** The parameters of some metrics, each once. */
const paramsOf = (names: readonly string[]): ParamSpec[] => [...new Set(names.flatMap((n) => getMetric(n).params))];

/**
 * The metric settings a record holds. The default metrics' parameters are always recorded (as
 * since the first results: steps, muSamples, muGrid), with the baseline, correlation, seed and
 * budgets; the parameters of any other chosen metric (rsrgMasks, errorSubsets, …) are recorded
 * next to `extraMetrics`. Keys are {@link metricOptionKey}s.
 */
function metricSettings(m: EvalMetricOptions, seed: number, names: readonly string[]): Record<string, unknown> {
  const always = paramsOf(DEFAULT_METRICS);
  const extraMetrics = names.filter((n) => !DEFAULT_METRICS.includes(n));
  const extra = paramsOf(extraMetrics).filter((p) => !always.includes(p));
  return {
    ...Object.fromEntries(always.map((p) => [metricOptionKey(p), metricValue(m, p)])),
    metricBaseline: m.baseline ?? 0,
    correlation: m.correlation ?? "spearman",
    muSeed: seed,
    ranges: m.ranges ?? CONFIDENCE_RANGES,
    ...(extraMetrics.length ? { extraMetrics } : {}),
    ...Object.fromEntries(extra.map((p) => [metricOptionKey(p), metricValue(m, p)])),
  };
}

/** JSON with the keys of every object sorted: settings compare equal whatever order their keys were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/**
 * The metric parameters a run records that an older line lacks: lines written before eval recorded
 * the parameters of the extra metrics (up to 2026-12-05: rsrgMasks, errorSubsets) do not say
 * which values made them.
 */
function unrecordedMetricKeys(mine: Readonly<Record<string, unknown>>, theirs: Readonly<Record<string, unknown>>): string[] {
  const keys = new Set(METRIC_PARAMS.map(metricOptionKey));
  const missing = Object.keys(mine).filter((k) => keys.has(k) && !(k in theirs));
  if (missing.length === 0) return [];
  const rest = Object.fromEntries(Object.entries(mine).filter(([k]) => !missing.includes(k)));
  return canonicalJson(rest) === canonicalJson(theirs) ? missing : [];
}

/**
 * Refuses to resume a file whose earlier pairs were made by another model, target mode or settings
 * (compared whatever the order of their keys). A line that lacks a metric parameter this run
 * records is refused with its own message: its value is unknown.
 */
export function checkResumable(existing: readonly EvalRecord[], o: { readonly targetMode?: "predicted" | "true"; readonly out: string; readonly model: { readonly name: string } }, settings: ReadonlyMap<EvalMethod, Readonly<Record<string, unknown>>>, wanted: ReadonlySet<string>): void {
  const targetMode = o.targetMode ?? "predicted";
  for (const r of existing) {
    if (!wanted.has(pairKey(r.image, r.method))) continue;
    const own = settings.get(r.method as EvalMethod) ?? {};
    const mine = canonicalJson(own);
    const theirs = canonicalJson(r.settings);
    if (r.model === o.model.name && r.targetMode === targetMode && mine !== theirs) {
      const missing = unrecordedMetricKeys(own, r.settings);
      if (missing.length) {
        const wantedValues = missing.map((k) => `"${k}": ${JSON.stringify(own[k])}`).join(", ");
        throw new RangeError(
          `${o.out} was written before eval recorded the options of its extra metrics: its ${r.method} line on ${r.image} does not say which ${missing.join(", ")} made it, so it cannot be resumed safely; ` +
            `add the values that made it to the settings of its lines (this run would use ${wantedValues}) or use another output file`,
        );
      }
    }
    if (r.model !== o.model.name || r.targetMode !== targetMode || mine !== theirs) {
      throw new RangeError(
        `${o.out} already holds ${r.method} on ${r.image} made with model ${r.model}, target ${r.targetMode}, settings ${theirs}; ` +
          `this run uses model ${o.model.name}, target ${targetMode}, settings ${mine}: use another output file or the same options`,
      );
    }
  }
}

function classRef(model: BlackBoxModel, index: number): ClassRef {
  return { index, label: model.labels[index] ?? `class ${index}` };
}

/** The record's classes: explained, predicted, true (null when unknown) and whether top-1 is right. */
function classes(model: BlackBoxModel, target: number, predicted: number, truth: number | undefined): Pick<EvalRecord, "target" | "predicted" | "trueClass" | "correct"> {
  return {
    target: classRef(model, target),
    predicted: classRef(model, predicted),
    trueClass: truth === undefined ? null : classRef(model, truth),
    correct: truth === undefined ? null : truth === predicted,
  };
}

/** Checks the target mode, that names are unique, and that "true" has every true class; returns the mode. */
export function checkImages(images: readonly EvalImage[], targetMode: "predicted" | "true"): "predicted" | "true" {
  if (targetMode !== "predicted" && targetMode !== "true") throw new RangeError(`targetMode ${JSON.stringify(targetMode)} is not allowed: use predicted or true`);
  const names = new Set<string>();
  for (const img of images) {
    if (names.has(img.name)) throw new RangeError(`image name ${JSON.stringify(img.name)} appears twice; names key the results and must be unique`);
    names.add(img.name);
  }
  const unknown = targetMode === "true" ? images.filter((img) => img.trueClass === undefined).map((img) => img.name) : [];
  if (unknown.length > 0) throw new RangeError(`target "true" needs the true class of every image; unknown for ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}`);
  return targetMode;
}

/** Column keys the record holds as its own fields; every other metric value goes to `metrics`. */
const CORE_KEYS = new Set(["insertion", "deletion", "muFidelity", "strongInteractions"]);

/**
 * Scores one result with the chosen registered metrics (src/metrics/registry.ts) bound to the
 * image: by default pixel insertion/deletion, highest confidence and μFidelity (METHOD.md §6;
 * LIMA eqs. 13-15); the values of any other metric are returned under `metrics`.
 */
async function scoreMap(bench: MetricBenchmark, result: AttributionResult, m: EvalMetricOptions, names: readonly string[]) {
  const shared = { ranges: m.ranges, correlation: m.correlation };
  const values: Record<string, number> = {};
  for (const name of names) {
    const metric = getMetric(name);
    Object.assign(values, await metric.evaluate(bench, result, metricOptionsFor(metric, m, shared)));
  }
  const hc = Object.entries(values).filter(([k]) => k.startsWith("highestConfidence."));
  const extra = Object.entries(values).filter(([k]) => !CORE_KEYS.has(k) && !k.startsWith("highestConfidence."));
  return {
    insertion: values.insertion,
    deletion: values.deletion,
    highestConfidence: Object.fromEntries(hc.map(([k, v]) => [k.slice("highestConfidence.".length), v])),
    muFidelity: values.muFidelity ?? null,
    strongInteractions: values.strongInteractions,
    ...(extra.length ? { metrics: Object.fromEntries(extra) } : {}),
  };
}

/** An image's model input, prediction, target, division and metric benchmark, made when its first pair is claimed. */
export interface PreparedImage {
  readonly name: string;
  readonly trueClass?: number;
  readonly image: RgbImage;
  readonly predicted: number;
  readonly target: number;
  readonly division: Division;
  readonly bench: MetricBenchmark;
}

/** What every pair of a run shares: the target mode, the seeded method options, the metrics and each method's recorded settings. */
export interface EvalPlan {
  readonly targetMode: "predicted" | "true";
  readonly seed: number;
  /** The method options with the seed filled in for every seeded method. */
  readonly methodOptions: MethodOptions;
  readonly metrics: EvalMetricOptions;
  readonly metricNames: readonly string[];
  /** Each method's recorded settings (method options, metric options, seed). */
  readonly settings: ReadonlyMap<EvalMethod, Readonly<Record<string, unknown>>>;
}

/** Checks the methods and metrics by name and resolves everything the pairs of a run share. */
export function evalPlan(o: Pick<EvaluationOptions, "methods" | "targetMode" | "seed" | "methodOptions" | "metrics" | "metricNames">): EvalPlan {
  const targetMode = o.targetMode ?? "predicted";
  if (targetMode !== "predicted" && targetMode !== "true") throw new RangeError(`targetMode ${JSON.stringify(targetMode)} is not allowed: use predicted or true`);
  const seed = o.seed ?? 0;
  for (const m of o.methods) getMethod(m);
  const methodOptions = seeded(o.methodOptions ?? {}, o.methods, seed);
  const metrics = o.metrics ?? {};
  checkMetricOptions(metrics);
  const metricNames = o.metricNames ?? DEFAULT_METRICS;
  for (const name of metricNames) getMetric(name);
  const settings = new Map(o.methods.map((m) => [m, { ...methodSettings(m, methodOptions), ...metricSettings(metrics, seed, metricNames) }] as const));
  return { targetMode, seed, methodOptions, metrics, metricNames, settings };
}

/**
 * Prepares one decoded image for its pairs: the model's prediction on the full image, the target
 * (top-1, or the true class in target mode "true"), the one division that every region method
 * and the metrics share (made outside the methods' times), and the metrics' benchmark (with the
 * object's annotation mask, when given, for RMA/RRA).
 */
export async function prepareImage(
  model: BlackBoxModel,
  plan: EvalPlan,
  img: { readonly name: string; readonly trueClass?: number; readonly image: RgbImage },
  control: { readonly signal?: AbortSignal; readonly division?: Division; readonly annotation?: Uint8Array } = {},
): Promise<PreparedImage> {
  const { image } = img;
  const [full] = await model.run([image], { signal: control.signal });
  const predicted = argmax(full.probs);
  if (plan.targetMode === "true" && img.trueClass === undefined) throw new RangeError(`target "true" needs the true class of ${img.name}`);
  const target = plan.targetMode === "true" ? img.trueClass! : predicted;
  const division: Division = control.division ?? divide(image, (plan.methodOptions.division as DivisionOptions | undefined) ?? DEFAULT_DIVISION);
  if (division.width !== image.width || division.height !== image.height) throw new RangeError(`the regions of ${img.name} are ${division.width}×${division.height}; the image is ${image.width}×${image.height}`);
  const bench: MetricBenchmark = { model, image, target, division, baseline: plan.metrics.baseline ?? 0, seed: plan.seed, signal: control.signal, ...(control.annotation ? { annotation: control.annotation } : {}) };
  return { name: img.name, trueClass: img.trueClass, image, predicted, target, division, bench };
}

/**
 * The per-pair computation that local runs and queue workers share: runs one method on a prepared
 * image for its target and scores the map with the plan's metrics (METHOD.md §6); returns the record.
 */
export async function evaluatePair(
  model: BlackBoxModel,
  plan: EvalPlan,
  p: PreparedImage,
  method: EvalMethod,
  control: { readonly signal?: AbortSignal; readonly onProgress?: (fraction: number) => void } = {},
): Promise<EvalRecord> {
  const run = await runMethod(method, p.image, {
    model, division: p.division, target: p.target, options: plan.methodOptions, signal: control.signal, onProgress: control.onProgress,
  });
  const scores = await scoreMap(p.bench, run.result, plan.metrics, plan.metricNames);
  const settings = plan.settings.get(method);
  if (!settings) throw new RangeError(`method ${JSON.stringify(method)} is not in this run's plan: use one of ${[...plan.settings.keys()].join(", ")}`);
  return {
    image: p.name, method, model: model.name, targetMode: plan.targetMode, ...classes(model, p.target, p.predicted, p.trueClass),
    ...scores, forwardPasses: run.forwardPasses, ms: Math.round(run.ms * 10) / 10, settings,
  };
}

/**
 * Evaluates methods on images: for every (image, method) pair not yet in `out`, runs the method
 * for the target class, scores its map with the same pixel insertion/deletion, highest-confidence
 * and μFidelity protocol (METHOD.md §6), and appends one JSON line. A re-run resumes: finished
 * pairs are skipped, and an interruption loses at most the pair in flight. Runs writing the same
 * file at once share the work: each pair is claimed before it is computed ({@link ResultsLock}),
 * a pair another live run holds is skipped and waited for at the end, so every pair is written once.
 */
export async function runEvaluation(o: EvaluationOptions): Promise<EvaluationResult> {
  if (o.methodOptions?.division?.method === "labels" && !o.divisionOf) throw new RangeError("division from label images needs divisionOf (how to read each image's labels)");
  const targetMode = checkImages(o.images, o.targetMode ?? "predicted");
  const plan = evalPlan(o);
  const { settings } = plan;
  const wanted = new Set(o.images.flatMap((img) => o.methods.map((m) => pairKey(img.name, m))));
  mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const lock = new ResultsLock(o.out, o.lock);
  let checked = 0;
  /** The file's records, read under the lock; records another run added since are checked too. */
  const current = (): EvalRecord[] => {
    repairRecords(o.out);
    const records = readRecords(o.out);
    checkResumable(records.slice(checked), o, settings, wanted);
    checked = records.length;
    return records;
  };
  const finished = new Set((await lock.locked(current, o.signal)).map((r) => pairKey(r.image, r.method)));
  let pending = o.images.flatMap((img) => o.methods.filter((m) => !finished.has(pairKey(img.name, m))).map((method) => ({ img, method })));
  const total = pending.length;
  let done = 0;
  let prepared: PreparedImage | undefined;
  const prepare = async (img: EvalImage): Promise<PreparedImage> => {
    if (prepared?.name === img.name) return prepared;
    const image = await img.load();
    const division = o.divisionOf ? await o.divisionOf(img, image) : undefined;
    const annotation = img.annotation ? await img.annotation() : undefined;
    prepared = await prepareImage(o.model, plan, { name: img.name, trueClass: img.trueClass, image }, { signal: o.signal, division, annotation });
    return prepared;
  };
  try {
    while (pending.length > 0) {
      const busy: typeof pending = [];
      for (const { img, method } of pending) {
        throwIfAborted(o.signal);
        const key = pairKey(img.name, method);
        const state = await lock.locked(() => (current().some((r) => pairKey(r.image, r.method) === key) ? "done" : lock.claim(key)), o.signal);
        if (state === "done") continue;
        if (state === "busy") {
          busy.push({ img, method });
          continue;
        }
        try {
          const p = await prepare(img);
          o.onProgress?.({ done, total, image: img.name, method, fraction: 0 });
          const record = await evaluatePair(o.model, plan, p, method, {
            signal: o.signal,
            onProgress: (fraction) => o.onProgress?.({ done, total, image: img.name, method, fraction }),
          });
          await lock.locked(() => {
            repairRecords(o.out);
            appendRecord(o.out, record);
          });
        } finally {
          lock.release(key);
        }
        done++;
        o.onProgress?.({ done, total, image: img.name, method, fraction: 1 });
      }
      pending = busy;
      // Pairs another live run is computing: wait for its lines (or take them over if it dies).
      if (pending.length > 0) o.onProgress?.({ done, total, image: pending[0].img.name, method: pending[0].method, fraction: 0, waiting: pending.length });
      if (pending.length > 0) await sleep(o.lock?.waitMs ?? 200, undefined, { signal: o.signal });
    }
  } finally {
    lock.cleanUp();
  }
  const records = readRecords(o.out);
  return { records, added: done, skipped: wanted.size - done };
}
