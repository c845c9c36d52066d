import assert from "node:assert/strict";
import { test } from "node:test";
import { compositeRegions, Explainer, loadModel } from "../../src";
import { compositePlanarInto, compositeRegionsInto } from "../../src/image/baseline";
import type { BlackBoxModel } from "../../src/model/types";
import { BatchSink, SESSION_DEFAULTS, sessionOptionsFor, toTensorData } from "../../src/model/onnx";
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

test("compositePlanarInto on normalised tensors equals normalising the composite RGB image, RGB and BGR", () => {
  const W = 3, H = 2;
  const image = { width: W, height: H, data: Float32Array.from({ length: 18 }, (_, i) => 7 + i * 11) };
  const baseline = { width: W, height: H, data: new Float32Array(18).fill(128) };
  const pixels = [Int32Array.from([0, 4]), Int32Array.from([1, 2]), Int32Array.from([3, 5])];
  for (const channels of ["RGB", "BGR"] as const) {
    const card = { name: "t", size: [H, W], channels, scale: 1 / 255, mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.5] } as unknown as ModelCard;
    const out = new Float32Array(18).fill(-1);
    for (const regions of [[], [0], [0, 2], [0, 1, 2]]) {
      compositePlanarInto(out, toTensorData([image], card), toTensorData([baseline], card), pixels, regions);
      assert.deepEqual(out, toTensorData([compositeRegions(image, baseline, pixels, regions)], card), `${channels} ${regions}`);
    }
  }
  // Regions that leave a pixel out (pixel 5): it stays the baseline's even when T holds most pixels.
  const card = { name: "t", size: [H, W], channels: "RGB", scale: 1, mean: [0, 0, 0], std: [1, 1, 1] } as unknown as ModelCard;
  const partial = [Int32Array.from([0, 4]), Int32Array.from([1, 2]), Int32Array.from([3])];
  for (const regions of [[0, 1], [0, 1, 2]]) {
    const out = compositePlanarInto(new Float32Array(18), toTensorData([image], card), toTensorData([baseline], card), partial, regions);
    assert.deepEqual(out, toTensorData([compositeRegions(image, baseline, partial, regions)], card), `partial ${regions}`);
  }
  assert.throws(() => compositePlanarInto(new Float32Array(17), new Float32Array(18), new Float32Array(18), pixels, [0]), /planar composite of 17 values/);
});

test("model.tensorInput: runTensors(normalise(images)) gives model.run(images)'s outputs, and an Explainer over it (runWritten) gives the same explanation as one over run", async () => {
  const W = 8, H = 8;
  const card = writeTestModel(interactionModel({ width: W, height: H, masks: [rectMask(W, H, 0, 0, 4, 4), rectMask(W, H, 4, 4, 8, 8)], combine: "or", gain: 2 }), {
    name: "planar", width: W, height: H, classes: ["a", "b"],
  });
  const model = await loadModel(card, { batchSize: 3 });
  try {
    const images = Array.from({ length: 5 }, (_, k) => ({ width: W, height: H, data: Float32Array.from({ length: W * H * 3 }, (_, i) => ((i * (k + 2)) % 9) * 30) }));
    const viaRun = await model.run(images);
    const viaTensors = await model.tensorInput!.runTensors(images.map((im) => model.tensorInput!.normalise(im)));
    assert.deepEqual(viaTensors.map((o) => [...o.probs]), viaRun.map((o) => [...o.probs]));
    await assert.rejects(model.tensorInput!.runTensors([new Float32Array(10)]), /input tensor 0 has 10 values; model planar needs 192 \(3×8×8\)/);
    // The same explanation whether the evaluator composes RGB images or planar tensors.
    const plain: BlackBoxModel = {
      name: model.name, inputSize: model.inputSize, numClasses: model.numClasses, labels: model.labels, batchSize: model.batchSize,
      get forwardPasses() { return model.forwardPasses; },
      get inferenceMs() { return model.inferenceMs; },
      run: (im, control) => model.run(im, control),
      dispose: async () => undefined,
    };
    assert.equal(plain.tensorInput, undefined);
    const options = { division: { method: "grid", regions: 4 }, np: 2 } as const;
    const tensors = model.tensorInput!;
    const original = tensors.runWritten;
    let planarCalls = 0;
    tensors.runWritten = (count, write, control) => (planarCalls++, original(count, write, control));
    const a = await new Explainer(model, options).explain(images[1]);
    assert.ok(planarCalls > 0, "the explainer's subset images were written through runWritten");
    const b = await new Explainer(plain, options).explain(images[1]);
    assert.deepEqual(a.order, b.order);
    assert.deepEqual(a.insertion.y, b.insertion.y);
    assert.deepEqual(a.deletion.y, b.deletion.y);
  } finally {
    await model.dispose();
  }
});

test("tensorInput.runWritten writes each image straight into the model's batch buffer, reports every batch to onBatch and keeps them when a later batch is aborted; worker and main thread, and more batches in flight than shared slots", async () => {
  const W = 8, H = 8;
  const card = writeTestModel(interactionModel({ width: W, height: H, masks: [rectMask(W, H, 0, 0, 4, 4), rectMask(W, H, 4, 4, 8, 8)], combine: "or", gain: 2 }), {
    name: "written", width: W, height: H, classes: ["a", "b"],
  });
  const images = Array.from({ length: 5 }, (_, k) => ({ width: W, height: H, data: Float32Array.from({ length: W * H * 3 }, (_, i) => ((i * (k + 3)) % 7) * 35) }));
  const probs = (outs: readonly { probs: Float32Array }[]) => outs.map((o) => [...o.probs]);
  for (const inference of ["worker", "main"] as const) {
    const model = await loadModel(card, { batchSize: 2, inference });
    try {
      const expected = probs(await model.run(images));
      const tensors = images.map((im) => model.tensorInput!.normalise(im));
      const written: number[] = [], batches: [number, number][] = [];
      const outs = await model.tensorInput!.runWritten(5, (i, out) => {
        assert.equal(out.length, 3 * W * H);
        written.push(i);
        out.set(tensors[i]);
      }, { onBatch: (start, o) => batches.push([start, o.length]) });
      assert.deepEqual(probs(outs), expected, inference);
      assert.deepEqual(written, [0, 1, 2, 3, 4]);
      assert.deepEqual(batches, [[0, 2], [2, 2], [4, 1]]);
      // Abort once the first batch is in: that batch was reported, the run rejects.
      const ac = new AbortController();
      const seen: number[] = [];
      await assert.rejects(
        model.tensorInput!.runWritten(5, (i, out) => out.set(tensors[i]), { signal: ac.signal, onBatch: (start) => (seen.push(start), ac.abort()) }),
        (e: Error) => e.name === "AbortError",
      );
      assert.deepEqual(seen, [0]);
      // Two runs at once need more input buffers than the two shared slots: the others travel by transfer.
      const [a, b] = await Promise.all([model.run(images), model.run([...images].reverse())]);
      assert.deepEqual(probs(a), expected);
      assert.deepEqual(probs(b), [...expected].reverse());
      assert.deepEqual(probs(await model.run(images)), expected, "the slots are reused after the concurrent runs");
    } finally {
      await model.dispose();
    }
  }
});

test("BatchSink keeps its pinned buffers (the worker's shared slots) whatever came back first, and hands them out first", () => {
  const sink = new BatchSink(2);
  const [s0, s1, x, y] = [1, 2, 3, 4].map((n) => new Float32Array(n));
  sink.pin(s0);
  sink.pin(s1);
  // Four batches in flight: both slots and two extra buffers; the extras come back first.
  sink.free.splice(0);
  sink.recycle(x);
  sink.recycle(y);
  sink.recycle(s0);
  sink.recycle(s1);
  assert.ok(sink.free.includes(s0) && sink.free.includes(s1), "no slot is dropped");
  assert.ok(sink.free.length <= 4);
  assert.deepEqual([sink.free.pop(), sink.free.pop()], [s1, s0], "the slots go out before any other buffer");
  // Without pins the sink keeps at most `keep` buffers.
  const plain = new BatchSink(2);
  [x, y, s0].forEach((b) => plain.recycle(b));
  assert.equal(plain.free.length, 2);
});
