/**
 * Session-option measurements behind SESSION_DEFAULTS (src/model/onnx.ts): ms per image of the
 * pure inference for batch sizes, graph optimisation levels, the CPU memory arena and intra-op
 * threads, and the event-loop delay while a batch is inside onnxruntime.
 *
 *   node dist/bench/session.js [--model squeezenet1.1-fp32 --images 256]
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadModel } from "../src";
import type { OnnxModelOptions } from "../src/model/onnx";
import type { RgbImage } from "../src/types";

const shared = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");

async function measure(name: string, options: OnnxModelOptions, count: number): Promise<{ msPerImage: number; wallPerImage: number; loopMaxMs: number }> {
  const model = await loadModel(name, { searchPaths: [path.join(shared, "data/models")], ...options });
  const { width, height } = model.inputSize;
  const image: RgbImage = { width, height, data: new Float32Array(width * height * 3).map((_, i) => (i * 31) % 256) };
  const batch = Array.from({ length: model.batchSize }, () => image);
  await model.run(batch); // warm-up
  const t0 = model.inferenceMs, w0 = performance.now();
  let last = performance.now(), loopMax = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    loopMax = Math.max(loopMax, now - last - 1);
    last = now;
  }, 1);
  for (let done = 0; done < count; done += model.batchSize) await model.run(batch);
  clearInterval(tick);
  const images = Math.ceil(count / model.batchSize) * model.batchSize;
  const out = { msPerImage: (model.inferenceMs - t0) / images, wallPerImage: (performance.now() - w0) / images, loopMaxMs: loopMax };
  await model.dispose();
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: "string", default: "squeezenet1.1-fp32" }, images: { type: "string", default: "256" } } });
  const count = Number(values.images);
  const variants: [string, OnnxModelOptions][] = [
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
  console.log(`${values.model}, ${count} images per variant, load ${os.loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  console.log(`| variant | ms/image in onnxruntime | wall ms/image | max event-loop delay ms |`);
  console.log(`|---|---|---|---|`);
  for (const [label, options] of variants) {
    const r = await measure(values.model!, options, count);
    console.log(`| ${label} | ${r.msPerImage.toFixed(2)} | ${r.wallPerImage.toFixed(2)} | ${r.loopMaxMs.toFixed(1)} |`);
  }
  console.log(`load after: ${os.loadavg().map((v) => v.toFixed(2)).join(" ")}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
