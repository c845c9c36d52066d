import assert from "node:assert/strict";
import { test } from "node:test";
import { gridDivision } from "../../src/division";
import { MDRS_METRIC, minimalDiscriminativeRegion, segmentOrder } from "../../src/metrics/mdrs";
import type { SaliencyMap } from "../../src/types";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";

const N = SQUARE_SIDE * SQUARE_SIDE;
const squareMap = (sign: number): SaliencyMap => ({ width: SQUARE_SIDE, height: SQUARE_SIDE, data: Float32Array.from({ length: N }, (_, q) => (inSquare(q) ? sign : 0)) });
// 6×6 blocks of 4×4 pixels: the square [8, 16)² is exactly blocks (2..3, 2..3).
const division = gridDivision(SQUARE_SIDE, SQUARE_SIDE, { n: 6 });

test("MDRS on the square world: the perfect map needs 3 of the square's 4 blocks (48 pixels), the bound", async () => {
  // Class 0 has probability = the square's mean brightness; it stops being predicted once that is < 0.5:
  // after 2 blocks p = 0.5 (tie, class 0 still wins), after 3 blocks p = 0.25.
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE, batchSize: 4 });
  const r = await minimalDiscriminativeRegion(model, whiteImage(SQUARE_SIDE, SQUARE_SIDE), squareMap(1), division);
  assert.deepEqual({ ...r, forwardPasses: undefined }, { pixels: 48, fraction: 48 / N, regions: 3, flipped: true, predicted: 0, predictedAfter: 1, forwardPasses: undefined });
  // It stops at the first batch that flips: 1 original + one batch of 4.
  assert.equal(r.forwardPasses, 5);
});

test("MDRS on the square world: the inverted map perturbs all 32 other blocks first (35 blocks, 560 pixels)", async () => {
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE });
  const r = await minimalDiscriminativeRegion(model, whiteImage(SQUARE_SIDE, SQUARE_SIDE), squareMap(-1), division);
  assert.equal(r.regions, 35);
  assert.equal(r.pixels, 560);
});

test("MDRS when the prediction never changes is the whole image, flipped false", async () => {
  const model = fakeModel(() => 0.9, { width: SQUARE_SIDE, height: SQUARE_SIDE });
  const r = await minimalDiscriminativeRegion(model, whiteImage(SQUARE_SIDE, SQUARE_SIDE), squareMap(1), division);
  assert.deepEqual([r.fraction, r.regions, r.flipped], [1, 36, false]);
});

test("MDRS_METRIC.evaluate binds the benchmark's division and baseline and reports both columns", async () => {
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE });
  const bench = { model, image: whiteImage(SQUARE_SIDE, SQUARE_SIDE), target: 0, division };
  const out = await MDRS_METRIC.evaluate(bench, { method: "x", map: squareMap(1), forwardPasses: 0, ms: 0 });
  assert.deepEqual(out, { mdrs: 48 / N, mdrsRegions: 3 });
  assert.deepEqual(MDRS_METRIC.columns.map((c) => [c.key, c.better]), [["mdrs", "lower"], ["mdrsRegions", "lower"]]);
  // With the perturbation value 255 on a white image nothing changes.
  const same = await MDRS_METRIC.evaluate({ ...bench, baseline: 255 }, { method: "x", map: squareMap(1), forwardPasses: 0, ms: 0 });
  assert.equal(same.mdrs, 1);
});

test("segmentOrder ranks segments by mean saliency, ties by lower index; bad inputs throw", async () => {
  const d = gridDivision(4, 2, { n: 2 });
  const map: SaliencyMap = { width: 4, height: 2, data: Float32Array.from([0, 0, 5, 1, 0, 0, 1, 5]) };
  assert.deepEqual(segmentOrder(map, d), [1, 3, 0, 2]);
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE });
  await assert.rejects(minimalDiscriminativeRegion(model, whiteImage(SQUARE_SIDE, SQUARE_SIDE), squareMap(1), division, { baseline: 300 }), /baseline 300 is not allowed: use a number in 0..255/);
  assert.throws(() => segmentOrder(map, division), /saliency map is 4×2; the division is 24×24/);
});
