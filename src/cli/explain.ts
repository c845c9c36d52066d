import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { DivisionOptions } from "../division";
import { Explainer } from "../explain/explainer";
import { SEARCHES } from "../explain/options";
import type { Explanation } from "../explain/result";
import { loadImage } from "../image/load";
import { loadModel } from "../model/load";
import { DEVICES } from "../model/onnx";
import { LIMA_LAMBDAS } from "../score/options";
import { curvesFigure } from "../plot/figures";
import { escapeHtml, figuresPage } from "../plot/html";
import type { SaliencyMap } from "../types";
import { choiceFlag, numberFlag, parseFlags, requiredFlag, UsageError } from "./args";
import { ProgressBar } from "./progress";
import { REGIONS } from "../params/lima";

export const EXPLAIN_USAGE = `lima-xai explain --model <path|name> --image <file> [--target <index|label|predicted>]
  [--division slico|grid|prior] [--regions 49] [--prior-map <greyscale image>] [--search bidirectional|greedy] [--np 8]
  [--lambda-cons 20] [--lambda-colla 5] [--lambda-conf 0.05] [--lambda-eff 0.01] [--confidence entropy|edl]
  [--baseline 0] [--batch 32] [--device cpu|cuda] [--allow-outside-paths] [--out <dir>] [--json] [--debug]`;

const FLAGS = {
  model: { type: "string" },
  image: { type: "string" },
  target: { type: "string" },
  division: { type: "string" },
  regions: { type: "string" },
  "prior-map": { type: "string" },
  search: { type: "string" },
  np: { type: "string" },
  "lambda-cons": { type: "string" },
  "lambda-colla": { type: "string" },
  "lambda-conf": { type: "string" },
  "lambda-eff": { type: "string" },
  confidence: { type: "string" },
  baseline: { type: "string" },
  batch: { type: "string" },
  device: { type: "string" },
  "allow-outside-paths": { type: "boolean" },
  out: { type: "string" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
} as const;

const DIVISIONS = ["slico", "grid", "prior"] as const;

async function priorMap(file: string, width: number, height: number): Promise<SaliencyMap> {
  let raw: Buffer;
  try {
    raw = await sharp(file).greyscale().resize(width, height, { fit: "fill" }).raw().toBuffer();
  } catch (error) {
    throw new UsageError(`--prior-map ${file} cannot be read as a greyscale image: ${(error as Error).message.split("\n")[0]}`);
  }
  return { width, height, data: Float32Array.from(raw) };
}

async function divisionOptions(values: Record<string, string | boolean | undefined>, width: number, height: number): Promise<DivisionOptions> {
  const method = choiceFlag("division", values.division as string | undefined, DIVISIONS, "slico");
  const regions = numberFlag("regions", values.regions as string | undefined, method === "prior" ? 25 : 49, { integer: true, min: REGIONS.min, max: REGIONS.max });
  if (method === "grid") {
    const n = Math.round(Math.sqrt(regions));
    if (n * n !== regions) throw new UsageError(`--regions ${regions} is not allowed with --division grid: use a perfect square (${[4, 9, 16, 25, 36, 49, 64, 100].join(", ")}, …)`);
    return { method, regions };
  }
  if (method === "prior") {
    const file = values["prior-map"] as string | undefined;
    if (!file) throw new UsageError("--division prior needs --prior-map <greyscale image> (a prior saliency map)");
    return { method, map: await priorMap(file, width, height), n: 10, m: regions };
  }
  return { method, regions };
}

function lambdas(values: Record<string, string | boolean | undefined>) {
  const flag = (k: "cons" | "colla" | "conf" | "eff") => numberFlag(`lambda-${k}`, values[`lambda-${k}`] as string | undefined, LIMA_LAMBDAS[k], { min: 0 });
  return { cons: flag("cons"), colla: flag("colla"), conf: flag("conf"), eff: flag("eff") };
}

/** `lima-xai explain`: explains one photo, prints JSON or a summary, optionally writes files. */
export async function explainCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, FLAGS);
  const modelSpec = requiredFlag("model", values.model);
  const imageFile = requiredFlag("image", values.image);
  const search = choiceFlag("search", values.search, SEARCHES, "bidirectional");
  const np = numberFlag("np", values.np, 8, { integer: true, min: 1 });
  const batchSize = numberFlag("batch", values.batch, 32, { integer: true, min: 1 });
  const device = choiceFlag("device", values.device, DEVICES, "cpu");
  const confidence = choiceFlag("confidence", values.confidence, ["entropy", "edl"] as const, "entropy");
  const baseline = numberFlag("baseline", values.baseline, 0, { min: 0, max: 255 });
  const l = lambdas(values);
  const model = await loadModel(modelSpec, { batchSize, device, allowOutsidePaths: Boolean(values["allow-outside-paths"]), onDownload: (m) => process.stderr.write(`${m}\n`) });
  try {
    const image = await loadImage(imageFile, model.card);
    const division = await divisionOptions(values, image.width, image.height);
    const explainer = new Explainer(model, { search, np, lambdas: l, division, confidence, baseline });
    const bar = new ProgressBar(`explaining ${path.basename(imageFile)}`);
    const result = await explainer.explain(image, {
      target: values.target,
      onProgress: (p) => bar.update(p.step, p.totalSteps, `${p.forwardPasses} passes`),
    });
    bar.done();
    const json = { image: imageFile, ...result.toJSON() };
    if (values.out) await writeOutputs(values.out, imageFile, result, json);
    process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${result.toString()}\n${values.out ? `wrote ${values.out}/result.json, map.png, curves.html\n` : ""}`);
    return 0;
  } finally {
    await model.dispose();
  }
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
