import assert from "node:assert/strict";
import test from "node:test";
import { gridDivision } from "../../src/division";
import { InsertionDeletion, MuFidelity, muFidelity, pixelCurve } from "../../src/metrics";
import { getMetric, HIGHEST_CONFIDENCE, METRICS, MU_FIDELITY, PIXEL_CURVES } from "../../src/metrics/registry";
import type { AttributionResult } from "../../src/methods/types";
import type { SaliencyMap } from "../../src/types";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";

const W = SQUARE_SIDE, H = SQUARE_SIDE;
const squareMap: SaliencyMap = { width: W, height: H, data: Float32Array.from({ length: W * H }, (_, q) => (inSquare(q) ? 1 : 0)) };

test("InsertionDeletion is bound to model, image, target, steps and baseline; evaluates any map; curves are memoised", async () => {
  const model = fakeModel(squareScore, { width: W, height: H });
  const metric = new InsertionDeletion({ model, image: whiteImage(W, H), target: 0, steps: 8 });
  const scores = await metric.evaluate(squareMap);
  assert.equal(model.forwardPasses, 2 * 9, "two curves of steps + 1 images");
  await metric.evaluate(squareMap);
  await metric.curve(squareMap, "insertion");
  assert.equal(model.forwardPasses, 18, "the same map's curves are not run again");
  const probe = fakeModel(squareScore, { width: W, height: H });
  const ins = await pixelCurve(probe, whiteImage(W, H), squareMap, "insertion", { target: 0, steps: 8 });
  const del = await pixelCurve(probe, whiteImage(W, H), squareMap, "deletion", { target: 0, steps: 8 });
  assert.equal(scores.insertion, ins.auc);
  assert.equal(scores.deletion, del.auc);
  assert.equal(scores.highestConfidence["1"], Math.max(...ins.y));
  assert.ok(scores.insertion > 0.8 && scores.deletion < 0.2, "the square map is faithful on the square world");
});

test("MuFidelity bound object equals the function; the registry's metrics give their columns", async () => {
  const image = whiteImage(W, H);
  const model = fakeModel(squareScore, { width: W, height: H });
  const mu = await new MuFidelity({ model, image, target: 0, samples: 12, grid: 4, seed: 3 }).evaluate(squareMap);
  assert.equal(mu, await muFidelity(fakeModel(squareScore, { width: W, height: H }), image, squareMap, { target: 0, samples: 12, grid: 4, seed: 3 }));
  const bench = { model: fakeModel(squareScore, { width: W, height: H }), image, target: 0, division: gridDivision(W, H, { n: 3 }), seed: 3 };
  const result: AttributionResult = { method: "x", map: squareMap, forwardPasses: 1, ms: 0 };
  const values: Record<string, number> = {};
  for (const metric of [PIXEL_CURVES, HIGHEST_CONFIDENCE, MU_FIDELITY]) {
    assert.ok(METRICS.includes(metric), `${metric.name} is registered`);
    const v = await metric.evaluate(bench, result, { steps: 8, samples: 12, grid: 4 });
    for (const key of Object.keys(v)) assert.ok(metric.columns.some((c) => c.key === key), `${metric.name} declares ${key}`);
    Object.assign(values, v);
  }
  assert.equal(values.muFidelity, mu);
  assert.equal(bench.model.forwardPasses, 2 * 9 + 13, "pixel curves shared by insertion/deletion and highest confidence, then μFidelity");
  assert.throws(() => getMetric("iou"), /metric "iou" is not allowed: use one of pixel, highestConfidence, muFidelity/);
});
