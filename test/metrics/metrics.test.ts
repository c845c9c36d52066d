import assert from "node:assert/strict";
import { test } from "node:test";
import { highestConfidence, muFidelity, pearson, pixelCurve, pixelMetrics, spearman, standardError, strongInteractionCount, trapezoidAuc } from "../../src/metrics";
import type { RgbImage, SaliencyMap } from "../../src/types";
import { fakeModel, whiteImage } from "../support/fake-model";

const W = 20, H = 10, N = W * H;
// The class lives in the left fifth of the image: score = fraction of those pixels still visible.
const inMask = (p: number) => p % W < 4;
const maskArea = 0.2;
const score = (img: RgbImage) => {
  let seen = 0, total = 0;
  for (let p = 0; p < N; p++) if (inMask(p)) {
    total++;
    if (img.data[3 * p] > 0) seen++;
  }
  return seen / total;
};
const perfect: SaliencyMap = { width: W, height: H, data: Float32Array.from({ length: N }, (_, p) => (inMask(p) ? 1 : 0)) };
const reversed: SaliencyMap = { ...perfect, data: perfect.data.map((v) => 1 - v) };

test("pixel insertion with the perfect map reaches the analytic bound 1 − a/2; reversed gives a/2", async () => {
  const model = fakeModel(score, { width: W, height: H });
  const best = await pixelCurve(model, whiteImage(W, H), perfect, "insertion", { target: 0, steps: 50 });
  const worst = await pixelCurve(model, whiteImage(W, H), reversed, "insertion", { target: 0, steps: 50 });
  assert.equal(best.x.length, 51);
  assert.ok(Math.abs(best.auc - (1 - maskArea / 2)) < 1e-9, `${best.auc}`);
  assert.ok(Math.abs(worst.auc - maskArea / 2) < 1e-9, `${worst.auc}`);
  assert.equal(model.forwardPasses, 102, "one batched pass per step");
});

test("pixel deletion with the perfect map reaches a/2, the lower bound", async () => {
  const model = fakeModel(score, { width: W, height: H });
  const { deletion, insertion, highestConfidence: hc } = await pixelMetrics(model, whiteImage(W, H), perfect, { target: 0, steps: 50 });
  assert.ok(Math.abs(deletion.auc - maskArea / 2) < 1e-9);
  assert.equal(deletion.y[0], 1);
  assert.equal(insertion.y[0], 0);
  assert.equal(hc["0.25"].score, 1);
  assert.ok(Math.abs(hc["0.25"].area - maskArea) < 1e-9, "reached once the mask is revealed");
});

test("highestConfidence(curve) takes the best y within each area budget and the first x reaching it", () => {
  const hc = highestConfidence({ x: [0, 0.25, 0.5, 0.75, 1], y: [0.1, 0.3, 0.3, 0.9, 0.5] });
  assert.deepEqual(hc["0.25"], { score: 0.3, area: 0.25 });
  assert.deepEqual(hc["0.5"], { score: 0.3, area: 0.25 });
  assert.deepEqual(hc["1"], { score: 0.9, area: 0.75 });
});

test("μFidelity of a linear model's own weights is 1 (pearson and spearman)", async () => {
  const weights = Float32Array.from({ length: N }, (_, p) => ((p * 7919) % 97) / 97);
  const linear = (img: RgbImage) => {
    let s = 0;
    for (let p = 0; p < N; p++) s += weights[p] * img.data[3 * p];
    return s / (255 * N);
  };
  const model = fakeModel(linear, { width: W, height: H, batchSize: 8 });
  const map = { width: W, height: H, data: weights };
  const rho = await muFidelity(model, whiteImage(W, H), map, { target: 0, grid: 5, samples: 60, seed: 3 });
  const r = await muFidelity(model, whiteImage(W, H), map, { target: 0, grid: 5, samples: 60, seed: 3, correlation: "pearson" });
  assert.ok(Math.abs(r - 1) < 1e-6, `pearson ${r}`);
  assert.ok(rho > 0.999, `spearman ${rho}`);
  const negated = await muFidelity(model, whiteImage(W, H), { ...map, data: weights.map((w) => -w) }, { target: 0, grid: 5, samples: 60, seed: 3, correlation: "pearson" });
  assert.ok(Math.abs(negated + 1) < 1e-6);
  assert.equal(await muFidelity(model, whiteImage(W, H), map, { target: 0, grid: 5, samples: 60, seed: 3 }), rho, "same seed, same value");
});

test("stats helpers: trapezoid, pearson, spearman with ties, standard error, strong interactions", () => {
  assert.equal(trapezoidAuc([0, 0.5, 1], [0, 1, 1]), 0.75);
  assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 7]) - 0.9933992677987828) < 1e-12);
  assert.equal(spearman([1, 2, 2, 3], [10, 20, 20, 30]), 1);
  assert.ok(Math.abs(standardError([1, 2, 3, 4]) - Math.sqrt(5 / 3 / 4)) < 1e-12);
  assert.equal(strongInteractionCount({ y: [0, 0.1, 0.8, 0.85, 0.2] }), 2);
});

test("metrics refuse maps of the wrong size and abort on request", async () => {
  const model = fakeModel(score, { width: W, height: H });
  await assert.rejects(pixelCurve(model, whiteImage(W, H), { width: 5, height: 5, data: new Float32Array(25) }, "insertion", { target: 0 }), /saliency map is 5×5; the image is 20×10/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(pixelCurve(model, whiteImage(W, H), perfect, "insertion", { target: 0, signal: controller.signal }), { name: "AbortError" });
});
