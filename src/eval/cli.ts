import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { choiceFlag, numberFlag, parseFlags, requiredFlag, UsageError } from "../cli/args";
import { ProgressBar } from "../cli/progress";
import type { DivisionOptions } from "../division";
import { SEARCHES } from "../explain/options";
import { loadImage } from "../image/load";
import { loadModel } from "../model/load";
import { DEVICES, type LoadedModel } from "../model/onnx";
import { isAbortError } from "../util/abort";
import { trueClassesFromFilenames } from "./labels";
import { EVAL_METHODS, type EvalMethod, type MethodOptions } from "./methods";
import { readRecords } from "./records";
import { summaryHtml } from "./report";
import { type EvalImage, type EvalMetricOptions, type EvaluationResult, runEvaluation } from "./runner";
import { summarise, summaryCsv, summaryTable } from "./summary";
import { REGIONS } from "../params/lima";

export const EVAL_USAGE = `lima-xai eval --model <path|name> --images <folder> --out results.jsonl [--labels-from-filename]
  [--methods ${EVAL_METHODS.join(",")}] [--target predicted|true] [--limit N] [--seed 0]
  [--division slico|grid] [--regions 49] [--search bidirectional|greedy] [--np 8]
  [--rise-masks 4000] [--rise-grid 7] [--occlusion-patch 28] [--occlusion-stride 14]
  [--shap-samples 2·|V|+2048] [--lime-samples 1000] [--hsic-designs 1536] [--hsic-grid 8] [--steps 50] [--mu-samples 200] [--mu-grid 9]
  [--batch 32] [--device cpu|cuda] [--allow-outside-paths] [--debug]`;

const FLAGS = {
  model: { type: "string" },
  images: { type: "string" },
  out: { type: "string" },
  "labels-from-filename": { type: "boolean" },
  methods: { type: "string" },
  target: { type: "string" },
  limit: { type: "string" },
  seed: { type: "string" },
  division: { type: "string" },
  regions: { type: "string" },
  search: { type: "string" },
  np: { type: "string" },
  "rise-masks": { type: "string" },
  "rise-grid": { type: "string" },
  "occlusion-patch": { type: "string" },
  "occlusion-stride": { type: "string" },
  "shap-samples": { type: "string" },
  "lime-samples": { type: "string" },
  "hsic-designs": { type: "string" },
  "hsic-grid": { type: "string" },
  steps: { type: "string" },
  "mu-samples": { type: "string" },
  "mu-grid": { type: "string" },
  batch: { type: "string" },
  device: { type: "string" },
  "allow-outside-paths": { type: "boolean" },
  debug: { type: "boolean" },
} as const;

type Values = Partial<Record<keyof typeof FLAGS, string | boolean>>;

const IMAGE_FILE = /\.(jpe?g|png|webp|tiff?|gif|avif)$/i;

/** The image files of a folder, sorted by name, the first `limit` of them. */
export function listImages(folder: string, limit?: number): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--images ${folder} is not a folder`);
  const files = readdirSync(folder).filter((f) => IMAGE_FILE.test(f)).sort();
  if (files.length === 0) throw new UsageError(`--images ${folder} holds no image files (.jpg, .jpeg, .png, .webp, .tif, .tiff, .gif, .avif)`);
  return files.slice(0, limit ?? files.length).map((f) => path.join(folder, f));
}

/** `--methods a,b`: each name checked against {@link EVAL_METHODS}. */
function methodsFlag(value: string | undefined): EvalMethod[] {
  if (value === undefined) return [...EVAL_METHODS];
  const methods = value.split(",").map((m) => m.trim()).filter((m) => m !== "");
  const bad = methods.filter((m) => !(EVAL_METHODS as readonly string[]).includes(m));
  if (bad.length > 0 || methods.length === 0) {
    throw new UsageError(`--methods ${JSON.stringify(value)} is not allowed${bad.length ? ` (unknown: ${bad.join(", ")})` : ""}: use a comma-separated list of ${EVAL_METHODS.join(", ")}`);
  }
  return [...new Set(methods)] as EvalMethod[];
}

function optionalInteger(name: string, value: string | boolean | undefined, min: number): number | undefined {
  return value === undefined ? undefined : numberFlag(name, value as string, 0, { integer: true, min });
}

/** `--division` and `--regions`: LIMA's regions, also those of Kernel SHAP and LIME. */
function divisionFlag(v: Values): DivisionOptions {
  const method = choiceFlag("division", v.division as string | undefined, ["slico", "grid"] as const, "slico");
  const regions = numberFlag("regions", v.regions as string | undefined, 49, { integer: true, min: REGIONS.min, max: REGIONS.max });
  const n = Math.round(Math.sqrt(regions));
  if (method === "grid" && n * n !== regions) {
    throw new UsageError(`--regions ${regions} is not allowed with --division grid: use a perfect square (${[4, 9, 16, 25, 36, 49, 64, 100].join(", ")}, …)`);
  }
  return { method, regions };
}

/** `--hsic-designs`: half of the designs keep each cell, so the count must be even. */
function evenDesigns(n: number | undefined): number | undefined {
  if (n !== undefined && n % 2) throw new UsageError(`--hsic-designs "${n}" is not allowed: use an even integer ≥ 4`);
  return n;
}

/** The method options the flags name; flags left out keep each method's own default. */
function methodOptions(v: Values): MethodOptions {
  const int = (name: keyof typeof FLAGS, min: number) => optionalInteger(name, v[name], min);
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  return {
    division: divisionFlag(v),
    lima: defined({ search: v.search === undefined ? undefined : choiceFlag("search", v.search as string, SEARCHES, "bidirectional"), np: int("np", 1) }),
    rise: defined({ masks: int("rise-masks", 1), grid: int("rise-grid", 1) }),
    occlusion: defined({ patch: int("occlusion-patch", 1), stride: int("occlusion-stride", 1) }),
    kernelshap: defined({ samples: int("shap-samples", 1) }),
    lime: defined({ samples: int("lime-samples", 1) }),
    hsic: defined({ designs: evenDesigns(int("hsic-designs", 4)), grid: int("hsic-grid", 1) }),
  };
}

function metricOptions(v: Values): EvalMetricOptions {
  return {
    steps: numberFlag("steps", v.steps as string | undefined, 50, { integer: true, min: 1 }),
    muSamples: numberFlag("mu-samples", v["mu-samples"] as string | undefined, 200, { integer: true, min: 3 }),
    muGrid: numberFlag("mu-grid", v["mu-grid"] as string | undefined, 9, { integer: true, min: 1 }),
  };
}

/** The images with their true classes (from the WordNet id that starts each file name, when asked). */
function evalImages(files: readonly string[], model: LoadedModel, labelsFromFilename: boolean): EvalImage[] {
  let truth: number[] | undefined;
  if (labelsFromFilename) {
    try {
      truth = trueClassesFromFilenames(files, model.classes.map((c) => c.wnid));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return files.map((file, i) => ({ name: path.basename(file), trueClass: truth?.[i], load: () => loadImage(file, model.card) }));
}

/** Where the summaries go: `<out>.summary.csv` and `<out>.summary.html`. */
export function summaryPaths(out: string): { csv: string; html: string } {
  return { csv: `${out}.summary.csv`, html: `${out}.summary.html` };
}

/** Everything the flags say, checked. */
interface EvalConfig {
  readonly out: string;
  readonly files: string[];
  readonly modelSpec: string;
  readonly methods: EvalMethod[];
  readonly targetMode: "predicted" | "true";
  readonly labelsFromFilename: boolean;
  readonly seed: number;
  readonly methodOptions: MethodOptions;
  readonly metrics: EvalMetricOptions;
  readonly batchSize: number;
  readonly device: (typeof DEVICES)[number];
  readonly allowOutsidePaths: boolean;
}

/** Parses and checks every flag before anything runs; a bad one is a {@link UsageError} naming it. */
function parseEvalFlags(args: string[]): EvalConfig {
  const { values } = parseFlags(args, FLAGS);
  const v = values as Values;
  const out = requiredFlag("out", values.out);
  const imagesFolder = requiredFlag("images", values.images);
  const modelSpec = requiredFlag("model", values.model);
  const targetMode = choiceFlag("target", values.target, ["predicted", "true"] as const, "predicted");
  const labelsFromFilename = Boolean(values["labels-from-filename"]);
  if (targetMode === "true" && !labelsFromFilename) throw new UsageError("--target true needs --labels-from-filename (the true class comes from the file name)");
  const methods = methodsFlag(values.methods);
  const options = methodOptions(v);
  const regions = options.division?.method === "grid" || options.division?.method === "slico" ? options.division.regions ?? 49 : 49;
  const np = options.lima?.np ?? 8;
  if (methods.includes("lima") && (options.lima?.search ?? "bidirectional") === "bidirectional" && np > regions) {
    throw new UsageError(`--np ${np} is larger than --regions ${regions}: use --np 1..${regions}`);
  }
  return {
    out,
    modelSpec,
    targetMode,
    labelsFromFilename,
    methods,
    seed: numberFlag("seed", values.seed, 0, { integer: true }),
    methodOptions: options,
    metrics: metricOptions(v),
    batchSize: numberFlag("batch", values.batch, 32, { integer: true, min: 1 }),
    device: choiceFlag("device", values.device, DEVICES, "cpu"),
    allowOutsidePaths: Boolean(values["allow-outside-paths"]),
    files: listImages(imagesFolder, optionalInteger("limit", values.limit, 1)),
  };
}

/** Runs the evaluation with a progress bar; Ctrl-C stops it after the pair in flight is dropped (undefined then). */
async function runWithProgress(model: LoadedModel, c: EvalConfig): Promise<EvaluationResult | undefined> {
  const images = evalImages(c.files, model, c.labelsFromFilename);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const bar = new ProgressBar("evaluating");
  try {
    return await runEvaluation({
      model, images, methods: c.methods, targetMode: c.targetMode, out: c.out, methodOptions: c.methodOptions, metrics: c.metrics, seed: c.seed,
      signal: controller.signal,
      onProgress: (p) => bar.update(p.done, p.total, p.waiting ? `waiting for ${p.waiting} pair(s) another run is computing` : `${p.image} ${p.method} ${Math.round(p.fraction * 100)}%`),
    });
  } catch (error) {
    if (!isAbortError(error)) throw error;
    return undefined;
  } finally {
    bar.done();
    process.removeListener("SIGINT", onSigint);
  }
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
    const result = await runWithProgress(model, config);
    if (!result) {
      process.stderr.write(`interrupted: finished pairs are in ${config.out}; run the same command again to resume\n`);
      return 130;
    }
    writeSummary(config.out, `lima-xai eval: ${model.name}, ${config.out}`, result, io.stdout ?? process.stdout);
    return 0;
  } finally {
    await model.dispose();
  }
}
