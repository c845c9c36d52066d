import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { divide, type DivisionOptions, getDivision, gridCountsText, loadRegionLabels, PRIOR_N } from "../division";
import { Explanation } from "../explain/result";
import { resolveTarget } from "../explain/target";
import { overlay } from "../image/colormap";
import { loadImage } from "../image/load";
import { encodePng } from "../image/png";
import { getMethod, METHOD_NAMES, METHODS } from "../methods/registry";
import type { AttributionResult } from "../methods/types";
import { loadModel } from "../model/load";
import type { Device } from "../model/devices";
import type { BlackBoxModel } from "../model/types";
import { DEVICE, DIVISION, DIVISION_PARAMS, REGIONS } from "../params/lima";
import { type ChoiceParam, type ParamSpec, resolveParams } from "../params/types";
import { curvesFigure } from "../plot/figures";
import { escapeHtml, figuresPage } from "../plot/html";
import type { Division, RgbImage, SaliencyMap } from "../types";
import { topK } from "../util/math";
import { parseFlags, requiredFlag, UsageError } from "./args";
import { BATCH_FLAG, batchFlag } from "./batch";
import { flagOf, flagOptions, flagValue, helpLines, readParamFlags } from "./flags";
import { ProgressBar } from "./progress";

/** `--method`: any registered method (the registry is the list). */
export const METHOD: ChoiceParam = { kind: "choice", name: "method", label: "method", default: "lima", choices: METHOD_NAMES, meaning: "attribution method (src/methods/registry.ts)" };

/** Every method's own parameters (a flag shared by several methods, e.g. --baseline, once). */
export function methodParamSpecs(methods = METHODS): ParamSpec[] {
  return methods.flatMap((m) => m.params);
}

/**
 * The parameters of the named division strategies (|V|, prior's m, felzenszwalb's scale…), without
 * the strategy choice itself. Several may share a flag (--regions is slico's and grid's |V| and
 * prior's m): each strategy reads the flag with its own spec.
 */
export const DIVISION_OPTION_PARAMS: readonly ParamSpec[] = DIVISION_PARAMS.filter((p) => p !== DIVISION);

/** The first spec of each flag: what parseArgs and --help list (a strategy's own default is in {@link divisionFlagsHelp}). */
export function firstOfEachFlag(specs: readonly ParamSpec[]): ParamSpec[] {
  const seen = new Set<string>();
  return specs.filter((p) => !seen.has(flagOf(p)) && Boolean(seen.add(flagOf(p))));
}

/** Parameters of `explain` besides the methods' own (one spec per flag). */
const COMMAND_PARAMS: readonly ParamSpec[] = [METHOD, DIVISION, ...firstOfEachFlag(DIVISION_OPTION_PARAMS), BATCH_FLAG, DEVICE];

/** Every parameter `explain` reads from a flag: its own, each division strategy's and every method's (for the schema test and the docs). */
export const EXPLAIN_PARAMS: readonly ParamSpec[] = [...new Set([...COMMAND_PARAMS, ...DIVISION_OPTION_PARAMS, ...methodParamSpecs()])];

const OTHER_FLAGS = {
  model: { type: "string" },
  image: { type: "string" },
  target: { type: "string" },
  "prior-map": { type: "string" },
  "regions-from": { type: "string" },
  "allow-outside-paths": { type: "boolean" },
  out: { type: "string" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
} as const;

export const EXPLAIN_USAGE = [
  "lima-xai explain --model <path|name> --image <file> [--target <index|label|predicted>] [--method <name>] [--out <dir>] [--json] [--debug]",
  "  [--allow-outside-paths] (let the model card's file and labels lie outside its folder)",
  "  [--prior-map <greyscale image>] (with --division prior)  [--regions-from <label image>] (a region per grey or RGB-packed value; replaces --division and its flags)",
  divisionFlagsHelp(DIVISION.choices),
  ...helpLines([...COMMAND_PARAMS, ...methodParamSpecs()]),
  "  (a method's own flags apply to the methods that have them; see README)",
].join("\n");

/** What the flags of `explain` say, checked, before any file is read. */
export interface ExplainConfig {
  readonly modelSpec: string;
  readonly imageFile: string;
  readonly target?: string;
  readonly method: string;
  /** The method's options as the flags named them (nested λ); the method's defaults fill the rest. */
  readonly methodOptions: Record<string, unknown>;
  /** How to divide: a named strategy, a prior map file or a label image file. */
  readonly division: DivisionConfig;
  readonly batchSize: number;
  readonly device: Device;
  readonly out?: string;
  readonly json: boolean;
  /** The model card's `file` and `labels` may lie outside its folder. */
  readonly allowOutsidePaths: boolean;
}

/**
 * A division as the flags name it: a named strategy's options (defaults filled in), a prior map
 * file (with --division prior) or a label image file (--regions-from).
 */
export type DivisionConfig =
  | Exclude<DivisionOptions, { readonly method: "prior" | "masks" | "labels" }>
  | { readonly method: "prior"; readonly file: string; readonly m: number }
  | { readonly method: "labels"; readonly file: string };

/** A division strategy's own flags: its parameters in the registry (prior's m is read from --regions). */
export function strategyParams(method: string): readonly ParamSpec[] {
  return getDivision(method).params;
}

/** The usage line saying which division flags go with which strategy (the rest are refused); a flag whose default differs for a strategy says so. */
export function divisionFlagsHelp(choices: readonly string[]): string {
  const listed = firstOfEachFlag(DIVISION_OPTION_PARAMS);
  const flagText = (p: ParamSpec) => `--${flagOf(p)}${listed.includes(p) ? "" : ` (default ${String(p.default)}: ${p.meaning})`}`;
  const each = choices.map((c) => `${c} ${strategyParams(c).map(flagText).join(", ") || "(none)"}`);
  return `  (each --division takes only its own flags: ${each.join("; ")}; a count the division reaches must lie in ${REGIONS.min}..${REGIONS.max})`;
}

/**
 * Checks --division, its strategy's flags (--regions, --fh-scale, …), --prior-map and
 * --regions-from together: a flag of another strategy is refused, naming the strategy's own.
 */
export function divisionFlags(values: Readonly<Record<string, unknown>>, allowed: readonly string[] = DIVISION.choices): DivisionConfig {
  const divisionSpec: ParamSpec = { ...DIVISION, choices: allowed };
  const given = [divisionSpec, ...DIVISION_OPTION_PARAMS].filter((p) => values[flagOf(p)] !== undefined).map((p) => `--${flagOf(p)}`);
  const from = values["regions-from"] as string | undefined;
  if (from !== undefined) {
    if (given.length) throw new UsageError(`--regions-from gives the regions itself: leave out ${given.join(", ")}`);
    if (from === "") throw new UsageError("--regions-from needs a label image");
    return { method: "labels", file: from };
  }
  const method = flagValue<string>(divisionSpec, values);
  const strategy = getDivision(method);
  const own = strategyParams(method);
  const foreign = DIVISION_OPTION_PARAMS.find((p) => !own.some((q) => flagOf(q) === flagOf(p)) && values[flagOf(p)] !== undefined);
  if (foreign) {
    throw new UsageError(`--${flagOf(foreign)} is not a parameter of --division ${method}${strategy.hint ? ` (${strategy.hint})` : ""}: its flags are ${own.map((p) => `--${flagOf(p)}`).join(", ") || "none"}`);
  }
  if (method === "prior") {
    const file = values["prior-map"] as string | undefined;
    if (!file) throw new UsageError("--division prior needs --prior-map <greyscale image> (a prior saliency map)");
  }
  const options = resolveParams(own, readParamFlags(own, values));
  if (method === "prior") {
    const m = options.m as number;
    const patches = PRIOR_N * PRIOR_N;
    if (patches % m !== 0) {
      const divisors = Array.from({ length: patches }, (_, i) => i + 1).filter((k) => patches % k === 0 && k >= REGIONS.min);
      throw new UsageError(`--${flagOf(own[0])} ${m} is not allowed with --division prior: use a divisor of N² = ${patches} (${divisors.join(", ")})`);
    }
    return { method, file: values["prior-map"] as string, m };
  }
  const regions = options.regions as number | undefined;
  if (method === "grid" && regions !== undefined && Math.round(Math.sqrt(regions)) ** 2 !== regions) {
    throw new UsageError(`--regions ${regions} is not allowed with --division grid: use a perfect square (${gridCountsText()})`);
  }
  return { method, ...options } as DivisionConfig;
}

/** The flags a method does not have are refused, naming the method. */
export function methodOptionFlags(method: string, values: Readonly<Record<string, unknown>>, allMethodSpecs: readonly ParamSpec[]): Record<string, unknown> {
  const own = getMethod(method).params;
  const foreign = allMethodSpecs.filter((s) => !own.includes(s) && values[flagOf(s)] !== undefined);
  if (foreign.length) throw new UsageError(`--${flagOf(foreign[0])} is not a parameter of ${method}: its flags are ${own.map((s) => `--${flagOf(s)}`).join(", ") || "none"}`);
  return readParamFlags(own, values);
}

/** Parses and checks every flag of `explain`. */
export function parseExplainFlags(args: string[]): ExplainConfig {
  const specs = methodParamSpecs();
  const { values } = parseFlags(args, { ...OTHER_FLAGS, ...flagOptions([...COMMAND_PARAMS, ...specs]) });
  const v = values as Record<string, string | boolean | undefined>;
  const modelSpec = requiredFlag("model", v.model as string | undefined);
  const imageFile = requiredFlag("image", v.image as string | undefined);
  const method = flagValue<string>(METHOD, v);
  return {
    modelSpec,
    imageFile,
    target: v.target as string | undefined,
    method,
    methodOptions: methodOptionFlags(method, v, specs),
    division: divisionFlags(v),
    batchSize: batchFlag(v),
    device: flagValue<Device>(DEVICE, v),
    out: v.out as string | undefined,
    json: Boolean(v.json),
    allowOutsidePaths: Boolean(v["allow-outside-paths"]),
  };
}

async function priorMap(file: string, width: number, height: number): Promise<SaliencyMap> {
  let raw: Buffer;
  try {
    raw = await sharp(file).greyscale().resize(width, height, { fit: "fill" }).raw().toBuffer();
  } catch (error) {
    throw new UsageError(`--prior-map ${file} cannot be read as a greyscale image: ${(error as Error).message.split("\n")[0]}`);
  }
  return { width, height, data: Float32Array.from(raw) };
}

/** The division the config names, made for this image (through the division registry). */
export async function makeDivision(config: ExplainConfig["division"], image: RgbImage, model: { readonly card: Parameters<typeof loadRegionLabels>[1] }): Promise<Division> {
  if (config.method === "labels") return loadRegionLabels(config.file, model.card);
  const options: DivisionOptions = config.method === "prior" ? { method: "prior", map: await priorMap(config.file, image.width, image.height), m: config.m } : config;
  try {
    return divide(image, options);
  } catch (error) {
    // A count the photo and the options give (felzenszwalb) is the user's to change: one line, exit 2.
    if (error instanceof RangeError && config.method === "felzenszwalb") throw new UsageError(error.message);
    throw error;
  }
}

/** The model's output on the full image: its top 5 and the resolved target class. */
async function classify(model: BlackBoxModel, image: RgbImage, target: string | undefined) {
  const [full] = await model.run([image]);
  const predicted = topK(full.probs, 1)[0];
  const t = resolveTarget(target, model.labels, predicted);
  if (t.kind !== "class") throw new RangeError("explain needs a class target");
  return { target: t.index, top5: topK(full.probs, 5).map((index) => ({ index, label: model.labels[index], score: full.probs[index] })) };
}

/** `lima-xai explain`: explains one photo with any registered method; prints JSON or a summary, optionally writes files. */
export async function explainCommand(args: string[]): Promise<number> {
  const c = parseExplainFlags(args);
  const method = getMethod(c.method);
  let attributor;
  const model = await loadModel(c.modelSpec, { batchSize: c.batchSize, device: c.device, allowOutsidePaths: c.allowOutsidePaths, onDownload: (m) => process.stderr.write(`${m}\n`) });
  try {
    try {
      attributor = method.create(model, c.methodOptions);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    const image = await loadImage(c.imageFile, model.card);
    const division = method.usesDivision ? await makeDivision(c.division, image, model) : undefined;
    const { target, top5 } = await classify(model, image, c.target);
    const bar = new ProgressBar(`explaining ${path.basename(c.imageFile)} (${method.name})`);
    const result = await attributor.attribute(image, { target, division, onProgress: (f) => bar.update(Math.round(f * 100), 100, `${model.forwardPasses} passes`) });
    bar.done();
    const explanation = result.details?.explanation instanceof Explanation ? result.details.explanation : undefined;
    const json = explanation
      ? { image: c.imageFile, method: method.name, ...explanation.toJSON() }
      : { image: c.imageFile, ...genericJson(model, result, target, top5) };
    if (c.out) await (explanation ? writeOutputs(c.out, c.imageFile, explanation, json) : writeMapOutputs(c.out, image, result, json));
    const text = explanation ? explanation.toString() : genericText(model, result, target);
    process.stdout.write(c.json ? `${JSON.stringify(json)}\n` : `${text}\n${c.out ? `wrote ${c.out}/result.json, map.png${explanation ? ", curves.html" : ""}\n` : ""}`);
    return 0;
  } finally {
    await attributor?.dispose?.();
    await model.dispose();
  }
}

/** The JSON of a method without LIMA's extras: what the shared result contract holds. */
function genericJson(model: BlackBoxModel, r: AttributionResult, target: number, top5: unknown): Record<string, unknown> {
  return {
    method: r.method, model: model.name, target: { index: target, label: model.labels[target] }, top5,
    ...(r.division ? { regions: r.division.count, division: r.division.method } : {}),
    ...(r.order ? { order: r.order } : {}),
    forwardPasses: r.forwardPasses, ms: Math.round(r.ms),
  };
}

function genericText(model: BlackBoxModel, r: AttributionResult, target: number): string {
  return [
    `${r.method} map of ${model.labels[target]} (class ${target}) by ${model.name}`,
    ...(r.division ? [`|V| = ${r.division.count} (${r.division.method})`] : []),
    `${r.forwardPasses} forward passes, ${(r.ms / 1000).toFixed(2)} s`,
  ].join("\n");
}

/** result.json and the map overlaid on the image (map.png), for any method. */
async function writeMapOutputs(dir: string, image: RgbImage, result: AttributionResult, json: Record<string, unknown>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "result.json"), `${JSON.stringify(json, null, 2)}\n`);
  const png = encodePng(overlay(image, result.map, 0.5), image.width, image.height);
  writeFileSync(path.join(dir, "map.png"), await sharp(png).resize(image.width * 2, image.height * 2, { kernel: "nearest" }).png().toBuffer());
}

/** result.json, the map overlaid on the image (map.png) and the curves page (curves.html). */
async function writeOutputs(dir: string, imageFile: string, result: Explanation, json: Record<string, unknown>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "result.json"), `${JSON.stringify(json, null, 2)}\n`);
  const png = result.overlayPng(0.5);
  const scaled = await sharp(png).resize(result.image.width * 2, result.image.height * 2, { kernel: "nearest" }).png().toBuffer();
  writeFileSync(path.join(dir, "map.png"), scaled);
  const table = Object.entries(result.highestConfidence)
    .map(([p, h]) => `<tr><td>≤ ${Number(p) * 100}%</td><td>${h.score.toFixed(3)}</td><td>${(h.area * 100).toFixed(1)}%</td></tr>`)
    .join("");
  const body = `<p>${escapeHtml(`${path.basename(imageFile)} — ${result.target.label} (class ${result.target.index}), model ${result.model}`)}</p>
<img src="data:image/png;base64,${png.toString("base64")}" width="${result.image.width * 2}"/>
<p>Insertion AUC ${result.insertion.auc.toFixed(3)}, deletion AUC ${result.deletion.auc.toFixed(3)}, ${result.forwardPasses} forward passes, ${(result.ms / 1000).toFixed(2)} s</p>
<table><tr><th>area budget</th><th>highest confidence</th><th>reached at</th></tr>${table}</table>`;
  writeFileSync(path.join(dir, "curves.html"), figuresPage(`lima-xai: ${path.basename(imageFile)}`, [curvesFigure(result)], body));
}
