import assert from "node:assert/strict";
import { test } from "node:test";
import { compositeRegions, loadModel } from "../../src";
import { compositeRegionsInto } from "../../src/image/baseline";
import { SESSION_DEFAULTS, sessionOptionsFor, toTensorData } from "../../src/model/onnx";
import type { ModelCard } from "../../src/model/card";
import { interactionModel, rectMask, writeTestModel } from "../support/onnx-graphs";

test("sessionOptionsFor(cpu) holds the measured defaults; cuda puts the CUDA provider first with its device id", () => {
  const cpu = sessionOptionsFor("cpu");
  assert.deepEqual(cpu.executionProviders, ["cpu"]);
  assert.equal(cpu.graphOptimizationLevel, SESSION_DEFAULTS.graphOptimizationLevel);
  assert.equal(cpu.enableCpuMemArena, true);
  assert.equal(cpu.intraOpNumThreads, undefined);
  const cuda = sessionOptionsFor("cuda", { deviceId: 1, threads: 2, enableCpuMemArena: false });
  assert.deepEqual(cuda.executionProviders, [{ name: "cuda", deviceId: 1 }, "cpu"]);
  assert.equal(cuda.intraOpNumThreads, 2);
  assert.equal(cuda.enableCpuMemArena, false);
  assert.throws(() => sessionOptionsFor("cpu", { graphOptimizationLevel: "max" as "all" }), /graphOptimizationLevel "max" is not allowed: use one of disabled, basic, extended, all/);
  assert.throws(() => sessionOptionsFor("cpu", { threads: 0 }), /threads 0 is not allowed/);
  assert.throws(() => sessionOptionsFor("cuda", { deviceId: -1 }), /deviceId -1 is not allowed/);
});

test("toTensorData(images, card, buffer) writes the same values as a fresh tensor, BGR and RGB", () => {
  const image = { width: 3, height: 2, data: Float32Array.from({ length: 18 }, (_, i) => i * 13) };
  for (const channels of ["RGB", "BGR"] as const) {
    const card = { name: "t", size: [2, 3], channels, scale: 1 / 255, mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.5] } as unknown as ModelCard;
    const fresh = toTensorData([image, image], card);
    const buffer = new Float32Array(64).fill(-7);
    toTensorData([image, image], card, buffer);
    assert.deepEqual(buffer.subarray(0, 36), fresh);
    // Channel c of the tensor is source channel (RGB: c, BGR: 2 − c) of pixel p, normalised.
    const src = channels === "BGR" ? 2 : 0;
    assert.ok(Math.abs(fresh[4] - (image.data[4 * 3 + src] / 255 - 0.4) / 0.2) < 1e-6);
    assert.throws(() => toTensorData([image, image], card, new Float32Array(35)), /too small: 2 images need 36/);
  }
});

test("compositeRegionsInto(out, …) equals compositeRegions and overwrites what the buffer held", () => {
  const image = { width: 2, height: 2, data: Float32Array.from({ length: 12 }, (_, i) => 100 + i) };
  const baseline = { width: 2, height: 2, data: new Float32Array(12).fill(5) };
  const pixels = [Int32Array.from([0, 3]), Int32Array.from([1]), Int32Array.from([2])];
  const out = { width: 2, height: 2, data: new Float32Array(12).fill(99) };
  compositeRegionsInto(out, image, baseline, pixels, [0, 2]);
  assert.deepEqual(out.data, compositeRegions(image, baseline, pixels, [0, 2]).data);
  compositeRegionsInto(out, image, baseline, pixels, [1]);
  assert.deepEqual(out.data, compositeRegions(image, baseline, pixels, [1]).data);
});

test("model.run gives the same outputs for batch sizes 1, 3 and 4 with its reused input buffers (partial batches too)", async () => {
  const W = 8, H = 8;
  const card = writeTestModel(interactionModel({ width: W, height: H, masks: [rectMask(W, H, 0, 0, 4, 4), rectMask(W, H, 4, 4, 8, 8)], combine: "or", gain: 2 }), {
    name: "reuse", width: W, height: H, classes: ["a", "b"],
  });
  const images = Array.from({ length: 7 }, (_, k) => ({ width: W, height: H, data: Float32Array.from({ length: W * H * 3 }, (_, i) => ((i * (k + 3)) % 7) * 40) }));
  const results: number[][] = [];
  for (const batchSize of [1, 3, 4]) {
    const model = await loadModel(card, { batchSize });
    const first = await model.run(images);
    const again = await model.run(images.slice(2));
    assert.deepEqual(again.map((o) => o.probs[0]), first.slice(2).map((o) => o.probs[0]));
    results.push(first.map((o) => o.probs[0]));
    await model.dispose();
  }
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
  assert.ok(new Set(results[0].map((v) => v.toFixed(6))).size > 1, "the images give different outputs");
});
