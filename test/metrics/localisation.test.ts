import assert from "node:assert/strict";
import { test } from "node:test";
import { localisationMetric, relevanceMassAccuracy, relevanceRankAccuracy } from "../../src/metrics/localisation";

// A 4×4 map; the annotation is the top-left 2×2 square (pixels 0, 1, 4, 5).
const MASK = Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const map = (values: number[]) => ({ width: 4, height: 4, data: Float32Array.from(values) });

test("relevanceMassAccuracy(map, mask) = positive relevance inside / positive relevance in all", () => {
  const m = map([2, 1, 0, -5, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  // inside: 2 + 1 + 1 + 0 = 4; all positive: 4 + 1 + 1 = 6 (the −5 ignored).
  assert.ok(Math.abs(relevanceMassAccuracy(m, MASK) - 4 / 6) < 1e-12);
  assert.ok(Number.isNaN(relevanceMassAccuracy(map(new Array(16).fill(-1)), MASK)));
  assert.throws(() => relevanceMassAccuracy(m, new Uint8Array(3)), /annotation mask has 3 pixels; the map has 16 \(4×4\)/);
});

test("relevanceRankAccuracy(map, mask) = share of the top-|GT| pixels inside, ties counted fractionally", () => {
  // top 4: 9, 8, 7 (pixels 0, 2, 5) and 6 (pixel 1) → inside: 0, 5, 1 → 3/4.
  assert.equal(relevanceRankAccuracy(map([9, 6, 8, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), MASK), 3 / 4);
  // A region map: value 1 on pixels 0, 1, 2, 3 (two inside, two outside), 0 elsewhere → K = 4 exactly covered: 2/4.
  assert.equal(relevanceRankAccuracy(map([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), MASK), 0.5);
  // Tie across the K boundary: 3 pixels at 2 (pixel 0 inside), then 6 at 1 of which pixels 4, 5 inside: 1 + (1/6)·2 over 4.
  const tied = map([2, 0, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.ok(Math.abs(relevanceRankAccuracy(tied, MASK) - (1 + (1 / 6) * 2) / 4) < 1e-12);
  assert.ok(Number.isNaN(relevanceRankAccuracy(tied, new Uint8Array(16))));
});

test("localisationMetric.evaluate yields rma/rra with an annotation and nothing without", async () => {
  const m = map([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const result = { method: "t", map: m, forwardPasses: 0, ms: 0 };
  const bench = { model: undefined as never, image: undefined as never, target: 0, division: undefined as never };
  assert.deepEqual(await localisationMetric.evaluate(bench, result), {});
  assert.deepEqual(await localisationMetric.evaluate({ ...bench, annotation: MASK }, result), { rma: 0.5, rra: 0.5 });
});
