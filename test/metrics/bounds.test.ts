import assert from "node:assert/strict";
import { test } from "node:test";
import { muFidelity, pixelCurve, rankPixels, spearman, trapezoidAuc } from "../../src/metrics";
import type { RgbImage, SaliencyMap } from "../../src/types";
import { fakeModel, whiteImage } from "../support/fake-model";

const W = 10, H = 10, N = W * H;
// The class is the top three rows: score = fraction of those 30 pixels still visible.
const inMask = (p: number) => p < 3 * W;
const area = 0.3;
const score = (img: RgbImage) => {
  let seen = 0;
  for (let p = 0; p < 3 * W; p++) if (img.data[3 * p] > 0) seen++;
  return seen / (3 * W);
};
const perfect: SaliencyMap = { width: W, height: H, data: Float32Array.from({ length: N }, (_, p) => (inMask(p) ? 1 : 0)) };
const reversed: SaliencyMap = { ...perfect, data: perfect.data.map((v) => 1 - v) };

test("pixel deletion with the reversed map reaches the upper bound 1 − a/2", async () => {
  const curve = await pixelCurve(fakeModel(score, { width: W, height: H }), whiteImage(W, H), reversed, "deletion", { target: 0, steps: 10 });
  assert.ok(Math.abs(curve.auc - (1 - area / 2)) < 1e-6, `${curve.auc}`);
  assert.deepEqual(curve.x, Array.from({ length: 11 }, (_, s) => s / 10));
});

test("pixelCurve is the same for every batch size and baseline-coloured pixels count as removed", async () => {
  const image = whiteImage(W, H);
  const a = await pixelCurve(fakeModel(score, { width: W, height: H, batchSize: 1 }), image, perfect, "insertion", { target: 0, steps: 7 });
  const b = await pixelCurve(fakeModel(score, { width: W, height: H, batchSize: 64 }), image, perfect, "insertion", { target: 0, steps: 7 });
  assert.deepEqual(a, b);
  // 7 steps over 100 pixels: step s reveals round(100·s/7) pixels; the mask is the first 30.
  assert.deepEqual(a.y.map((y) => Math.round(y * 30)), [0, 14, 29, 30, 30, 30, 30, 30]);
  const grey = await pixelCurve(fakeModel(score, { width: W, height: H }), image, perfect, "insertion", { target: 0, steps: 7, baseline: 128 });
  assert.equal(grey.y[0], 1, "a grey baseline is visible to this model, so nothing looks removed");
});

test("rankPixels(map) orders by saliency, ties by pixel index", () => {
  const map = { width: 3, height: 2, data: Float32Array.from([0.5, 1, 0.5, -1, 1, 0]) };
  assert.deepEqual([...rankPixels(map)], [1, 4, 0, 2, 5, 3]);
});

test("trapezoidAuc handles uneven steps; spearman gives average ranks to ties", () => {
  assert.ok(Math.abs(trapezoidAuc([0, 0.1, 1], [0, 1, 1]) - 0.95) < 1e-12);
  assert.equal(trapezoidAuc([0, 1], [0.2, 0.2]), 0.2);
  // Ranks of [1, 1, 2] are [1.5, 1.5, 3]: against [1, 2, 3] the Pearson of ranks is √3/2.
  assert.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])), "undefined for a constant side");
});

test("μFidelity of the class mask is 1 (pearson); of the reversed map, negative", async () => {
  const model = fakeModel(score, { width: W, height: H });
  const good = await muFidelity(model, whiteImage(W, H), perfect, { target: 0, grid: 5, samples: 80, seed: 1, correlation: "pearson" });
  const bad = await muFidelity(model, whiteImage(W, H), reversed, { target: 0, grid: 5, samples: 80, seed: 1, correlation: "pearson" });
  assert.ok(Math.abs(good - 1) < 1e-6, `${good}`);
  assert.ok(bad < 0, `${bad}: the reversed map is 1 − mask, so its dropped sum counts the class pixels negatively`);
  assert.equal(model.forwardPasses, 2 * 81);
});
