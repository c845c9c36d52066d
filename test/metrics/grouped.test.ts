import assert from "node:assert/strict";
import { test } from "node:test";
import { groupedCurve, l1Scale, regionGroups, sampledAttributionError } from "../../src/metrics/grouped";
import { prefixGroups, thresholdGroups } from "../../src/methods/sop/groups";
import type { Division, RgbImage } from "../../src/types";
import { fakeModel, whiteImage } from "../support/fake-model";

// Three pixels in a row, one region each. f = 0.7·[pixels 0 and 1 visible] + 0.3·[pixel 2 visible].
const visible = (img: RgbImage, p: number) => img.data[3 * p] > 0;
const score = (img: RgbImage) => (visible(img, 0) && visible(img, 1) ? 0.7 : 0) + (visible(img, 2) ? 0.3 : 0);
const image = whiteImage(3, 1);
const division: Division = { width: 3, height: 1, labels: Int32Array.from([0, 1, 2]), count: 3, method: "grid" };
const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≠ ${b}`);

test("groupedCurve inserts overlapping groups by score, adding only new pixels (hand-computed AUC)", async () => {
  const model = fakeModel(score, { width: 3, height: 1 });
  const groups = [{ mask: Uint8Array.from([0, 1, 1]), score: 0.2 }, { mask: Uint8Array.from([1, 1, 0]), score: 0.9 }];
  const ins = await groupedCurve(model, image, groups, "insertion", { target: 0 });
  assert.deepEqual(ins.x.map((v) => +v.toFixed(6)), [0, 0.666667, 1]);
  assert.deepEqual(ins.y.map((v) => +v.toFixed(6)), [0, 0.7, 1]);
  // (2/3)(0 + .7)/2 + (1/3)(.7 + 1)/2
  near(ins.auc, (2 / 3) * 0.35 + (1 / 3) * 0.85);
  const del = await groupedCurve(model, image, groups, "deletion", { target: 0 });
  assert.deepEqual(del.y.map((v) => +v.toFixed(6)), [1, 0.3, 0]);
  near(del.auc, (2 / 3) * 0.65 + (1 / 3) * 0.15);
});

test("groupedCurve closes the curve at x = 1 when the groups leave pixels out", async () => {
  const model = fakeModel(score, { width: 3, height: 1 });
  const ins = await groupedCurve(model, image, [{ mask: Uint8Array.from([0, 0, 1]), score: 1 }], "insertion", { target: 0 });
  assert.deepEqual(ins.x.map((v) => +v.toFixed(6)), [0, 0.333333, 1]);
  assert.deepEqual(ins.y.map((v) => +v.toFixed(6)), [0, 0.3, 1]);
  await assert.rejects(groupedCurve(model, image, [], "insertion", { target: 0 }), /at least one group/);
  await assert.rejects(groupedCurve(model, image, [{ mask: new Uint8Array(2), score: 1 }], "insertion", { target: 0 }), /group 0 mask has 2 pixels; the image has 3/);
});

test("regionGroups scores each region by the map's mean; prefixGroups nests LIMA's order with marginal gains", () => {
  const map = { width: 3, height: 1, data: Float32Array.from([0.1, 0.5, 0.9]) };
  assert.deepEqual(regionGroups(map, division).map((g) => +g.score.toFixed(6)), [0.1, 0.5, 0.9]);
  const groups = prefixGroups([2, 0, 1], division, [0, 0.3, 0.3, 1]);
  assert.deepEqual(groups.map((g) => Array.from(g.mask)), [[0, 0, 1], [1, 0, 1], [1, 1, 1]]);
  assert.deepEqual(groups.map((g) => +g.score.toFixed(6)), [0.3, 0, 0.7]);
  assert.throws(() => prefixGroups([0, 1, 2], division, [0, 1]), /needs 4/);
});

test("thresholdGroups keeps the top pixels, nested, scored by their mean", () => {
  const map = { width: 4, height: 1, data: Float32Array.from([0.2, 0.8, 0.4, 0.6]) };
  const g = thresholdGroups(map, [0.25, 0.5]);
  assert.deepEqual(Array.from(g[0].mask), [0, 1, 0, 0]);
  assert.deepEqual(Array.from(g[1].mask), [0, 1, 0, 1]);
  near(g[1].score, 0.7);
  assert.throws(() => thresholdGroups(map, [0]), /threshold fraction 0 is not allowed/);
});

test("sampledAttributionError is 0 for the additive model's own weights and positive for a reversed map", async () => {
  const weights = [0.5, 0.3, 0.2];
  const additive = (img: RgbImage) => weights.reduce((a, w, p) => a + (visible(img, p) ? w : 0), 0);
  const model = fakeModel(additive, { width: 3, height: 1 });
  const right = await sampledAttributionError(model, image, { width: 3, height: 1, data: Float32Array.from([5, 3, 2]) }, division, { target: 0, samples: 32, seed: 1 });
  near(right.deletionError, 0);
  near(right.insertionError, 0);
  near(right.scale, 0.1);
  const wrong = await sampledAttributionError(model, image, { width: 3, height: 1, data: Float32Array.from([2, 3, 5]) }, division, { target: 0, samples: 32, seed: 1 });
  assert.ok(wrong.deletionError > 0.02, `${wrong.deletionError}`);
});

test("l1Scale is the weighted median of the ratios, never negative", () => {
  near(l1Scale([1, 1, 1], [1, 2, 10]), 2);
  near(l1Scale([1, 1], [-1, -2]), 0);
  near(l1Scale([0, 0], [1, 2]), 0);
});

test("the attribution-error metric draws its own `samples` subsets: eval hands it --error-subsets, μFidelity its --mu-samples, under the same name", async () => {
  const { ATTRIBUTION_ERROR_METRIC } = await import("../../src/metrics/grouped");
  const { MU_FIDELITY, metricOptionsFor } = await import("../../src/metrics/registry");
  let images = 0;
  const model = fakeModel((img) => {
    images++;
    return score(img);
  }, { width: 3, height: 1 });
  const bench = { model, image, target: 0, division, seed: 1 };
  const result = { method: "t", map: { width: 3, height: 1, data: Float32Array.from([3, 2, 1]) }, forwardPasses: 0, ms: 0 };
  // One options object for the whole run, keyed by flag: each metric gets only its own, by its own names.
  const run = (errorSubsets: number) => ({ errorSubsets, muSamples: 200, muGrid: 3 });
  assert.deepEqual(metricOptionsFor(ATTRIBUTION_ERROR_METRIC, run(4)), { samples: 4 });
  assert.deepEqual(metricOptionsFor(MU_FIDELITY, run(4), { correlation: "pearson" }), { correlation: "pearson", samples: 200, grid: 3 });
  images = 0;
  await ATTRIBUTION_ERROR_METRIC.evaluate(bench, result, metricOptionsFor(ATTRIBUTION_ERROR_METRIC, run(4)));
  const few = images;
  images = 0;
  await ATTRIBUTION_ERROR_METRIC.evaluate(bench, result, metricOptionsFor(ATTRIBUTION_ERROR_METRIC, run(40)));
  assert.equal(images - few, 2 * 36, `40 subsets cost ${images} model images, 4 cost ${few}: two images per extra subset`);
  assert.throws(() => metricOptionsFor(ATTRIBUTION_ERROR_METRIC, run(0)), /samples 0 is not allowed: use an integer in 1\.\.4096/);
  await assert.rejects(ATTRIBUTION_ERROR_METRIC.evaluate(bench, result, { samples: 0 }), /samples/);
});
