/**
 * Session-option measurements behind SESSION_DEFAULTS (src/model/onnx.ts): ms per image of the
 * pure inference for batch sizes, graph optimisation levels, the CPU memory arena, intra-op
 * threads and where inference runs (main thread or worker), with the maximum event-loop delay
 * while batches run (perf_hooks monitorEventLoopDelay); then end to end, one bidirectional
 * explanation of one photo at |V| = 49 in each inference mode (alternating, `--rounds` times).
 *
 *   node dist/bench/session.js [--model squeezenet1.1-fp32] [--images 256] [--part all|options|inference|explain]
 *                              [--photo pelican.jpeg] [--regions |V| (default: the schema's)] [--rounds 2]
 */
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Explainer, loadImage, loadModel } from "../src";
import type { InferenceMode, OnnxModelOptions } from "../src/model/onnx";
import { REGIONS } from "../src/params/lima";
import type { RgbImage } from "../src/types";

const shared = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");
const searchPaths = [path.join(shared, "data/models")];
const load = () => os.loadavg()[0].toFixed(2);

/** Max event-loop delay (ms) while `work` runs, sampled every 5 ms. */
async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ value: T; loopMaxMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  try {
    const value = await work();
    return { value, loopMaxMs: delay.max / 1e6 };
  } finally {
    delay.disable();
  }
}

async function measure(name: string, options: OnnxModelOptions, count: number): Promise<{ msPerImage: number; wallPerImage: number; loopMaxMs: number }> {
  const model = await loadModel(name, { searchPaths, ...options });
  const { width, height } = model.inputSize;
  const image: RgbImage = { width, height, data: new Float32Array(width * height * 3).map((_, i) => (i * 31) % 256) };
  const images = Array.from({ length: Math.ceil(count / model.batchSize) * model.batchSize }, () => image);
  await model.run(images.slice(0, model.batchSize)); // warm-up
  const t0 = model.inferenceMs, w0 = performance.now();
  // One run of all images, as an explainer asks for them (the worker composes batch k+1 while k runs).
  const { loopMaxMs } = await withLoopDelay(() => model.run(images));
  const out = { msPerImage: (model.inferenceMs - t0) / images.length, wallPerImage: (performance.now() - w0) / images.length, loopMaxMs };
  await model.dispose();
  return out;
}

/** One bidirectional explanation of one photo at |V| regions in an inference mode: passes, wall s, max event-loop delay. */
async function explainOnce(name: string, photo: string, regions: number, inference: InferenceMode) {
  const model = await loadModel(name, { searchPaths, inference });
  try {
    const image = await loadImage(path.join(shared, "data/images/photos", photo), model.card);
    const explainer = new Explainer(model, { search: "bidirectional", division: { method: "slico", regions } });
    const before = load();
    const w0 = performance.now();
    const { value: r, loopMaxMs } = await withLoopDelay(() => explainer.explain(image));
    return { passes: r.forwardPasses, wallS: (performance.now() - w0) / 1e3, insideS: r.inferenceMs / 1e3, loopMaxMs, load: `${before} → ${load()}` };
  } finally {
    await model.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: "string", default: "squeezenet1.1-fp32" },
      images: { type: "string", default: "256" },
      part: { type: "string", default: "all" },
      photo: { type: "string", default: "pelican.jpeg" },
      regions: { type: "string", default: String(REGIONS.default) },
      rounds: { type: "string", default: "2" },
    },
  });
  const parts = ["all", "options", "inference", "explain"];
  if (!parts.includes(values.part!)) throw new RangeError(`--part ${values.part} is not allowed: use one of ${parts.join(", ")}`);
  const count = Number(values.images);
  const options: [string, OnnxModelOptions][] = [
    ["batch 8", { batchSize: 8 }],
    ["batch 16", { batchSize: 16 }],
    ["batch 32 (default)", { batchSize: 32 }],
    ["batch 64", { batchSize: 64 }],
    ["graph basic", { graphOptimizationLevel: "basic" }],
    ["graph disabled", { graphOptimizationLevel: "disabled" }],
    ["no memory arena", { enableCpuMemArena: false }],
    ["threads 1", { threads: 1 }],
    ["threads 2", { threads: 2 }],
    ["default again", {}],
  ];
  const inference: [string, OnnxModelOptions][] = [
    ["main, batch 8", { inference: "main", batchSize: 8 }],
    ["worker, batch 8", { inference: "worker", batchSize: 8 }],
    ["main, batch 32", { inference: "main" }],
    ["worker, batch 32", { inference: "worker" }],
    ["main, batch 32 again", { inference: "main" }],
    ["worker, batch 32 again", { inference: "worker" }],
  ];
  const variants = [...(["all", "options"].includes(values.part!) ? options : []), ...(["all", "inference"].includes(values.part!) ? inference : [])];
  if (variants.length > 0) {
    console.log(`${values.model}, ${count} images per variant (one run), load ${load()}`);
    console.log(`| variant | ms/image in onnxruntime | wall ms/image | max event-loop delay ms |`);
    console.log(`|---|---|---|---|`);
    for (const [label, o] of variants) {
      const r = await measure(values.model!, o, count);
      console.log(`| ${label} | ${r.msPerImage.toFixed(2)} | ${r.wallPerImage.toFixed(2)} | ${r.loopMaxMs.toFixed(1)} |`);
    }
    console.log(`load after: ${load()}`);
  }
  if (["all", "explain"].includes(values.part!)) {
    console.log(`\n${values.model}, bidirectional, |V| = ${values.regions}, photo ${values.photo}`);
    console.log(`| inference | passes | wall s | s in onnxruntime | max event-loop delay ms | load (1 min) |`);
    console.log(`|---|---|---|---|---|---|`);
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const mode of inferenceOrder(round)) {
        const r = await explainOnce(values.model!, values.photo!, Number(values.regions), mode);
        console.log(`| ${mode} | ${r.passes} | ${r.wallS.toFixed(2)} | ${r.insideS.toFixed(2)} | ${r.loopMaxMs.toFixed(1)} | ${r.load} |`);
      }
    }
  }
}

/** Alternate which mode goes first, so that a load trend does not favour one. */
function inferenceOrder(round: number): InferenceMode[] {
  return round % 2 === 0 ? ["main", "worker"] : ["worker", "main"];
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
