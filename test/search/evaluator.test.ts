import assert from "node:assert/strict";
import test from "node:test";
import { compositeRegions } from "../../src";
import type { BlackBoxModel, ModelOutput } from "../../src/model/types";
import { ModelOutputCache } from "../../src/search/cache";
import { SubsetEvaluator } from "../../src/search/evaluator";
import type { RgbImage } from "../../src/types";

const W = 4, H = 2;
const sum = (image: RgbImage) => image.data.reduce((a, v) => a + v, 0);

/** An RGB-only model (no tensorInput) whose single output is the image's pixel sum; each batch takes `ms`; it records how many batches it held at once. */
function slowModel(ms: number) {
  let running = 0;
  const model = {
    name: "slow", inputSize: { width: W, height: H }, numClasses: 1, labels: ["x"], batchSize: 2, forwardPasses: 0, inferenceMs: 0,
    maxAtOnce: 0, batches: 0,
    async run(images: readonly RgbImage[], control: { signal?: AbortSignal } = {}): Promise<ModelOutput[]> {
      // The images are read when the run starts; the evaluator may compose into its other banks meanwhile.
      const outs = images.map((im) => Float32Array.of(sum(im)));
      model.maxAtOnce = Math.max(model.maxAtOnce, ++running);
      model.batches++;
      try {
        await new Promise((resolve) => setTimeout(resolve, ms));
        control.signal?.throwIfAborted();
        model.forwardPasses += images.length;
        return outs.map((probs) => ({ probs, features: probs }));
      } finally {
        running--;
      }
    },
    async dispose() {},
  };
  return model satisfies BlackBoxModel & Record<string, unknown>;
}

const image: RgbImage = { width: W, height: H, data: Float32Array.from({ length: W * H * 3 }, (_, i) => i + 1) };
const baseline: RgbImage = { width: W, height: H, data: new Float32Array(W * H * 3) };
const regionPixels = [Int32Array.of(0, 1), Int32Array.of(2, 3), Int32Array.of(4, 5), Int32Array.of(6, 7)];
const subsets = [[0], [1], [2], [3], [0, 1], [1, 2], [2, 3], [0, 1, 2, 3], []];

test("the subset evaluator keeps two batches in a model without tensorInput, composing a third meanwhile; every output belongs to its subset", async () => {
  const model = slowModel(15);
  const evaluator = new SubsetEvaluator(model, image, baseline, regionPixels, new ModelOutputCache(), "t");
  const outs = await evaluator.outputs(subsets);
  assert.deepEqual(outs.map((o) => o.probs[0]), subsets.map((s) => sum(compositeRegions(image, baseline, regionPixels, s))));
  assert.equal(model.batches, 5);
  assert.equal(model.maxAtOnce, 2, "two batches in the model at once");
  assert.equal(evaluator.stats.forwardPasses, 9);
  // All cached now: nothing runs again.
  await evaluator.outputs(subsets.slice(2, 6));
  assert.equal(model.batches, 5);
});

test("an abort during the subset evaluator's batches rejects, keeps the batches that came back, and leaves no rejection unhandled", async () => {
  const model = slowModel(20);
  const cache = new ModelOutputCache();
  const evaluator = new SubsetEvaluator(model, image, baseline, regionPixels, cache, "t");
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  await assert.rejects(evaluator.outputs(subsets, ac.signal), (e: Error) => e.name === "AbortError");
  const kept = evaluator.peek(subsets).filter((o) => o !== undefined).length;
  assert.ok(kept >= 2 && kept < subsets.length, `${kept} outputs kept`);
  assert.equal(evaluator.stats.forwardPasses, kept);
  await new Promise((resolve) => setTimeout(resolve, 60));
});
