import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseFlags, requiredFlag, UsageError } from "../cli/args";
import { DIVISION_OPTION_PARAMS, divisionFlags, divisionFlagsHelp, firstOfEachFlag, METHOD, strategyParams } from "../cli/explain";
import { BATCH_FLAG, batchFlag } from "../cli/batch";
import { flagOf, flagOptions, flagValue, helpLines, readParamFlags } from "../cli/flags";
import { ProgressBar } from "../cli/progress";
import { isMemoisable, labelImageFor, loadRegionLabels } from "../division";
import { IMAGE_EXTENSIONS, isImageFile, loadImage, sameStemImage } from "../image/load";
import { DEFAULT_METRICS, METRIC_PARAMS, METRICS, metricOptionKey } from "../metrics/registry";
import { METHODS } from "../methods/registry";
import { fileSha256, isModelPath, loadModel, modelFileOf } from "../model/load";
import type { Device } from "../model/devices";
import type { LoadedModel } from "../model/onnx";
import { ATTEMPTS, LIMIT } from "../params/commands";
import { DEVICE, DIVISION, NP, SEARCH, SEED } from "../params/lima";
import type { ChoiceParam, ParamSpec } from "../params/types";
import type { Division } from "../types";
import { isAbortError } from "../util/abort";
import { trueClassesFromFilenames } from "./labels";
import { EVAL_METHODS, type EvalMethod, type MethodOptions, methodSettings } from "./methods";
import { readRecords } from "./records";
import { summaryHtml } from "./report";
import { type EvalImage, type EvalMetricOptions, type EvaluationResult, runEvaluation } from "./runner";
import { redisOptions } from "./queue/job";
import { summarise, summaryCsv, summaryTable } from "./summary";

/** Eval divides every photo the same way: the named divisions that need no per-photo file (the memoisable ones). */
const EVAL_DIVISION: ChoiceParam = { ...DIVISION, choices: DIVISION.choices.filter(isMemoisable) };
const TARGET: ChoiceParam = { kind: "choice", name: "target", label: "target", default: "predicted", choices: ["predicted", "true"], meaning: "explain the model's top-1 class or the true class (needs --labels-from-filename)" };
/** Every method's own parameters but the seed (one --seed seeds every method and μFidelity). */
const METHOD_PARAMS: readonly ParamSpec[] = METHODS.flatMap((m) => m.params).filter((p) => p !== SEED);
/** The parameters of the divisions eval offers (the memoisable ones). */
const EVAL_DIVISION_PARAMS: readonly ParamSpec[] = DIVISION_OPTION_PARAMS.filter((p) => EVAL_DIVISION.choices.some((c) => strategyParams(c).includes(p)));
const COMMAND_PARAMS: readonly ParamSpec[] = [TARGET, SEED, EVAL_DIVISION, ...firstOfEachFlag(EVAL_DIVISION_PARAMS), ...METRIC_PARAMS, BATCH_FLAG, DEVICE, LIMIT, ATTEMPTS];

/** Every parameter `eval` reads from a flag (for the schema test and --help). */
export const EVAL_PARAMS: readonly ParamSpec[] = [...COMMAND_PARAMS, ...METHOD_PARAMS];

/** The methods eval runs when --methods is not given: every registered one that needs no training (SOP does). */
const DEFAULT_EVAL_METHODS: readonly string[] = METHODS.filter((m) => !m.needs).map((m) => m.name);

export const EVAL_USAGE = [
  "lima-xai eval --model <path|name> --images <folder> --out results.jsonl [--labels-from-filename] [--allow-outside-paths] [--debug]",
  `  [--methods ${EVAL_METHODS.join(",")}] (any registered methods; default: all that need no training: ${DEFAULT_EVAL_METHODS.join(",")})  [--regions-from <label image or folder of them>] (replaces --division and its flags)`,
  "  [--annotations <folder>] (one mask image per photo, same name stem; non-black = object; for the localisation metric's RMA/RRA)",
  `  [--metrics ${METRICS.map((m) => m.name).join(",")}] (default ${DEFAULT_METRICS.join(",")})`,
  "  [--queue redis://HOST:PORT[/DB]] (run the pairs on `lima-xai worker`s through that Redis instead of here)",
  ...helpLines([...COMMAND_PARAMS, ...METHOD_PARAMS]),
  divisionFlagsHelp(EVAL_DIVISION.choices),
].join("\n");

const FLAGS = {
  model: { type: "string" },
  images: { type: "string" },
  out: { type: "string" },
  "labels-from-filename": { type: "boolean" },
  methods: { type: "string" },
  metrics: { type: "string" },
  "regions-from": { type: "string" },
  annotations: { type: "string" },
  "allow-outside-paths": { type: "boolean" },
  debug: { type: "boolean" },
  queue: { type: "string" },
  ...flagOptions([...COMMAND_PARAMS, ...METHOD_PARAMS]),
} as const;

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** The image files of a folder, sorted by name, the first `limit` of them. */
export function listImages(folder: string, limit?: number): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--images ${folder} is not a folder`);
  const files = readdirSync(folder).filter(isImageFile).sort();
  if (files.length === 0) throw new UsageError(`--images ${folder} holds no image files (${IMAGE_EXTENSIONS.join(", ")})`);
  return files.slice(0, limit ?? files.length).map((f) => path.join(folder, f));
}

/** `--metrics a,b`: each name checked against the metric registry. */
function metricsFlag(value: string | undefined): string[] {
  if (value === undefined) return [...DEFAULT_METRICS];
  const names = [...new Set(value.split(",").map((m) => m.trim()).filter((m) => m !== ""))];
  const known = METRICS.map((m) => m.name);
  const bad = names.filter((m) => !known.includes(m));
  if (bad.length > 0 || names.length === 0) throw new UsageError(`--metrics ${JSON.stringify(value)} is not allowed${bad.length ? ` (unknown: ${bad.join(", ")})` : ""}: use a comma-separated list of ${known.join(", ")}`);
  return names;
}

/** `--methods a,b`: each name checked against the method registry. */
function methodsFlag(value: string | undefined): EvalMethod[] {
  if (value === undefined) return [...DEFAULT_EVAL_METHODS];
  const methods = value.split(",").map((m) => m.trim()).filter((m) => m !== "");
  const bad = methods.filter((m) => !METHOD.choices.includes(m));
  if (bad.length > 0 || methods.length === 0) {
    throw new UsageError(`--methods ${JSON.stringify(value)} is not allowed${bad.length ? ` (unknown: ${bad.join(", ")})` : ""}: use a comma-separated list of ${EVAL_METHODS.join(", ")}`);
  }
  return [...new Set(methods)];
}

/** The method options the flags name, under each method's name; flags left out keep each method's own default. */
function methodOptions(v: Values, division: MethodOptions["division"]): MethodOptions {
  const out: Record<string, unknown> = division ? { division } : {};
  for (const m of METHODS) {
    const own = readParamFlags(m.params.filter((p) => p !== SEED), v);
    if (Object.keys(own).length) out[m.name] = own;
  }
  return out as MethodOptions;
}

/** The metric options the flags name, each under its flag's key ({@link metricOptionKey}); flags left out take each metric's default in the runner. */
function metricOptions(v: Values): EvalMetricOptions {
  return Object.fromEntries(METRIC_PARAMS.filter((p) => v[flagOf(p)] !== undefined).map((p) => [metricOptionKey(p), flagValue<number | string | boolean>(p, v)]));
}

/**
 * `--regions-from`: one label image for every photo, or a folder holding, for each photo, a label
 * image with the same name stem (any image extension; {@link labelImageFor}).
 */
function regionsFrom(source: string, model: LoadedModel): (img: EvalImage) => Promise<Division> {
  if (!existsSync(source)) throw new UsageError(`--regions-from ${source} does not exist`);
  return async (img) => loadRegionLabels(labelImageFor(source, img.name), model.card);
}

/**
 * `--annotations`: for each photo, the mask image with the same name stem, prepared like the photo
 * (the card's resize and crop) and thresholded (mean channel value > 127 = object).
 */
function annotationOf(folder: string, model: LoadedModel): (name: string) => () => Promise<Uint8Array> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--annotations ${folder} is not a folder`);
  return (name) => async () => {
    const file = sameStemImage(folder, name);
    if (!file) throw new RangeError(`--annotations ${folder} has no mask for ${name} (expected ${path.parse(name).name}.png or another image extension)`);
    const mask = await loadImage(file, model.card);
    return Uint8Array.from({ length: mask.width * mask.height }, (_, q) => ((mask.data[3 * q] + mask.data[3 * q + 1] + mask.data[3 * q + 2]) / 3 > 127 ? 1 : 0));
  };
}

/** The images with their true classes (from the WordNet id that starts each file name, when asked). */
function evalImages(files: readonly string[], model: LoadedModel, labelsFromFilename: boolean, annotations?: string): EvalImage[] {
  const annotation = annotations ? annotationOf(annotations, model) : undefined;
  let truth: number[] | undefined;
  if (labelsFromFilename) {
    try {
      truth = trueClassesFromFilenames(files, model.classes.map((c) => c.wnid));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return files.map((file, i) => ({ name: path.basename(file), trueClass: truth?.[i], load: () => loadImage(file, model.card), ...(annotation ? { annotation: annotation(path.basename(file)) } : {}) }));
}

/** Where the summaries go: `<out>.summary.csv` and `<out>.summary.html`. */
export function summaryPaths(out: string): { csv: string; html: string } {
  return { csv: `${out}.summary.csv`, html: `${out}.summary.html` };
}

/** Everything the flags say, checked. */
export interface EvalConfig {
  readonly out: string;
  readonly files: string[];
  readonly modelSpec: string;
  readonly methods: EvalMethod[];
  readonly targetMode: "predicted" | "true";
  readonly labelsFromFilename: boolean;
  readonly seed: number;
  readonly methodOptions: MethodOptions;
  readonly regionsFrom?: string;
  /** `--annotations`: folder of one mask image per photo. */
  readonly annotations?: string;
  readonly metrics: EvalMetricOptions;
  /** Registered metrics to compute (default DEFAULT_METRICS). */
  readonly metricNames: readonly string[];
  readonly batchSize: number;
  readonly device: Device;
  readonly allowOutsidePaths: boolean;
  /** `--queue`: the Redis of a queue run, whose workers compute the pairs. */
  readonly queue?: string;
  /** `--attempts`: tries of a queued pair before its error line (ATTEMPTS of src/params/commands.ts). */
  readonly attempts: number;
}

/** Parses and checks every flag before anything runs (the image folder is listed last); a bad one is a {@link UsageError} naming it. */
export function parseEvalFlags(args: string[], control: { listFiles?: boolean } = {}): EvalConfig {
  const { values } = parseFlags(args, FLAGS);
  const v = values as Values;
  const out = requiredFlag("out", v.out as string | undefined);
  const imagesFolder = requiredFlag("images", v.images as string | undefined);
  const modelSpec = requiredFlag("model", v.model as string | undefined);
  const targetMode = flagValue<"predicted" | "true">(TARGET, v);
  const labelsFromFilename = Boolean(v["labels-from-filename"]);
  if (targetMode === "true" && !labelsFromFilename) throw new UsageError("--target true needs --labels-from-filename (the true class comes from the file name)");
  const methods = methodsFlag(v.methods as string | undefined);
  const division = divisionFlags(v, EVAL_DIVISION.choices);
  const divisionOptions = division.method === "labels" || division.method === "prior" ? undefined : division;
  const options = methodOptions(v, divisionOptions ?? (division.method === "labels" ? { method: "labels", from: path.resolve(division.file) } : undefined));
  const lima = (options.lima ?? {}) as { np?: number; search?: string };
  const np = lima.np ?? NP.default;
  // A felzenszwalb |V| is known per photo only: the search checks n_p ≤ |V| then.
  if (divisionOptions && "regions" in divisionOptions && divisionOptions.regions !== undefined && methods.includes("lima") && (lima.search ?? SEARCH.default) === "bidirectional" && np > divisionOptions.regions) {
    throw new UsageError(`--${flagOf(NP)} ${np} is larger than --regions ${divisionOptions.regions}: use --np 1..${divisionOptions.regions}`);
  }
  const limit = flagValue<number>(LIMIT, v);
  const queue = v.queue as string | undefined;
  if (queue !== undefined) {
    try {
      redisOptions(queue);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (division.method === "labels") throw new UsageError(`--regions-from cannot be used with --queue (workers divide each photo themselves): use --division ${EVAL_DIVISION.choices.join(" or ")}`);
  }
  if (queue === undefined && v[flagOf(ATTEMPTS)] !== undefined) throw new UsageError(`--${flagOf(ATTEMPTS)} needs --queue`);
  for (const m of methods) {
    try {
      methodSettings(m, options);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(`${m}: ${error.message}`);
    }
  }
  return {
    out,
    modelSpec,
    targetMode,
    labelsFromFilename,
    methods,
    seed: flagValue<number>(SEED, v),
    methodOptions: options,
    regionsFrom: division.method === "labels" ? division.file : undefined,
    annotations: v.annotations as string | undefined,
    metrics: metricOptions(v),
    metricNames: metricsFlag(v.metrics as string | undefined),
    batchSize: batchFlag(v),
    device: flagValue<Device>(DEVICE, v),
    allowOutsidePaths: Boolean(v["allow-outside-paths"]),
    queue,
    attempts: flagValue<number>(ATTEMPTS, v),
    files: control.listFiles === false ? [] : listImages(imagesFolder, limit),
  };
}

/**
 * Runs `work` under a progress bar labelled `label`; Ctrl-C aborts its signal, and an abort
 * ends it with undefined (what the run had written stays).
 */
async function withCtrlC<T>(label: string, work: (signal: AbortSignal, bar: ProgressBar) => Promise<T>): Promise<T | undefined> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const bar = new ProgressBar(label);
  try {
    return await work(controller.signal, bar);
  } catch (error) {
    if (!isAbortError(error)) throw error;
    return undefined;
  } finally {
    bar.done();
    process.removeListener("SIGINT", onSigint);
  }
}

/** Runs the evaluation with a progress bar; Ctrl-C stops it after the pair in flight is dropped (undefined then). */
function runWithProgress(model: LoadedModel, c: EvalConfig): Promise<EvaluationResult | undefined> {
  const images = evalImages(c.files, model, c.labelsFromFilename, c.annotations);
  return withCtrlC("evaluating", (signal, bar) =>
    runEvaluation({
      model, images, methods: c.methods, targetMode: c.targetMode, out: c.out, methodOptions: c.methodOptions, metrics: c.metrics, metricNames: c.metricNames, seed: c.seed,
      divisionOf: c.regionsFrom ? regionsFrom(c.regionsFrom, model) : undefined,
      signal,
      onProgress: (p) => bar.update(p.done, p.total, p.waiting ? `waiting for ${p.waiting} pair(s) another run is computing` : `${p.image} ${p.method} ${Math.round(p.fraction * 100)}%`),
    }),
  );
}

/** Runs the evaluation on a queue's workers with a progress bar (live workers, ETA); Ctrl-C withdraws the jobs not started (undefined then). */
async function runQueuedWithProgress(model: LoadedModel, c: EvalConfig): Promise<EvaluationResult | undefined> {
  const images = evalImages(c.files, model, c.labelsFromFilename, c.annotations).map((img, i) => ({ name: img.name, trueClass: img.trueClass, annotation: img.annotation, bytes: () => readFile(c.files[i]) }));
  const isPath = isModelPath(c.modelSpec);
  const modelOptions = { allowOutsidePaths: c.allowOutsidePaths };
  const ref = { spec: isPath ? path.resolve(c.modelSpec) : c.modelSpec, name: model.name, sha256: fileSha256(modelFileOf(c.modelSpec, modelOptions)) };
  const { runQueuedEvaluation } = await import("./queue/coordinator"); // BullMQ loads only for queue runs
  return withCtrlC("evaluating on the queue", async (signal, bar) => {
    const result = await runQueuedEvaluation({
      model: ref, images, methods: c.methods, targetMode: c.targetMode, out: c.out, methodOptions: c.methodOptions, metrics: c.metrics, metricNames: c.metricNames, seed: c.seed,
      connection: redisOptions(c.queue!), attempts: c.attempts, signal,
      onProgress: (p) => bar.update(p.done, p.total, `${p.workers} worker(s) live, ${p.active} pair(s) computing${p.failed ? `, ${p.failed} failed` : ""}`),
    });
    if (result.failed > 0) process.stderr.write(`${result.failed} pair(s) failed on every try: their error lines are in ${c.out} (delete a line to try its pair again)\n`);
    return result;
  });
}

/** Summarises the whole results file: the table to `stdout`, CSV and HTML beside the file. */
function writeSummary(out: string, title: string, result: EvaluationResult, stdout: NodeJS.WritableStream): void {
  const rows = summarise(readRecords(out));
  const paths = summaryPaths(out);
  writeFileSync(paths.csv, summaryCsv(rows));
  writeFileSync(paths.html, summaryHtml(rows, title));
  stdout.write(`${summaryTable(rows)}\n\n${result.added} new pair(s), ${result.skipped} already done, in ${out}\nsummary: ${paths.csv}, ${paths.html}\n`);
}

/**
 * `lima-xai eval`: every method on every image of a folder, scored by the same pixel
 * insertion/deletion, highest-confidence and μFidelity protocol (METHOD.md §6); one JSON line per
 * (image, method) pair, resumable; then a summary table, CSV and HTML page. Returns the exit code
 * (130 when interrupted). The table goes to `io.stdout` (default process.stdout); progress to
 * stderr when it is a terminal.
 */
export async function evalCommand(args: string[], io: { readonly stdout?: NodeJS.WritableStream } = {}): Promise<number> {
  const config = parseEvalFlags(args);
  const model = await loadModel(config.modelSpec, { batchSize: config.batchSize, device: config.device, allowOutsidePaths: config.allowOutsidePaths, onDownload: (m) => process.stderr.write(`${m}\n`) });
  try {
    const result = config.queue ? await runQueuedWithProgress(model, config) : await runWithProgress(model, config);
    if (!result) {
      process.stderr.write(`interrupted: finished pairs are in ${config.out}; run the same command again to resume${config.queue ? " (pairs in flight finish on their workers and are collected then)" : ""}\n`);
      return 130;
    }
    writeSummary(config.out, `lima-xai eval: ${model.name}, ${config.out}`, result, io.stdout ?? process.stdout);
    return 0;
  } finally {
    await model.dispose();
  }
}
