import assert from "node:assert/strict";
import { test } from "node:test";
import { kernelShap, lime, occlusion, rise } from "../../src/baselines";
import { gridDivision } from "../../src/division";
import { rankPixels } from "../../src/metrics";
import type { RgbImage, SaliencyMap } from "../../src/types";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";

const W = SQUARE_SIDE, H = SQUARE_SIDE;

function meanInside(map: SaliencyMap, inside: (q: number) => boolean): [number, number] {
  let a = 0, na = 0, b = 0, nb = 0;
  map.data.forEach((v, q) => (inside(q) ? ((a += v), na++) : ((b += v), nb++)));
  return [a / na, b / nb];
}

test("rise(square model) ranks the square above the rest; seeded; counts masks", async () => {
  const model = fakeModel(squareScore, { width: W, height: H, batchSize: 50 });
  const map = await rise(model, whiteImage(W, H), { target: 0, masks: 300, grid: 6, seed: 1 });
  const [inside, outside] = meanInside(map, inSquare);
  assert.ok(inside > outside + 0.05, `inside ${inside} vs outside ${outside}`);
  const top = rankPixels(map).slice(0, 64);
  assert.ok(top.filter(inSquare).length >= 48, `${top.filter(inSquare).length} of the 64 top pixels lie in the square`);
  assert.equal(model.forwardPasses, 300);
  const again = await rise(model, whiteImage(W, H), { target: 0, masks: 300, grid: 6, seed: 1 });
  assert.deepEqual(again.data, map.data);
});

test("occlusion(square model) gives the square the largest drops; one pass per patch plus the original", async () => {
  const model = fakeModel(squareScore, { width: W, height: H });
  const map = await occlusion(model, whiteImage(W, H), { target: 0, patch: 8, stride: 4 });
  const [inside, outside] = meanInside(map, inSquare);
  assert.ok(inside > outside);
  assert.equal(model.forwardPasses, 1 + 5 * 5);
  assert.equal(map.data[0], 0, "a corner patch never touches the square");
});

// An additive game on a 3×3 grid: f(S) = Σ_{i∈S} w_i. Its Shapley values are the weights.
const weights = [0.3, -0.1, 0.05, 0.2, 0.5, 0, -0.2, 0.1, 0.15];
const division = gridDivision(W, H, { n: 3 });
const additive = (img: RgbImage) => weights.reduce((s, w, r) => {
  const centre = (Math.floor(r / 3) * 8 + 4) * W + (r % 3) * 8 + 4;
  return s + (img.data[3 * centre] > 0 ? w : 0);
}, 0);

test("kernelShap(additive game) recovers the exact region contributions", async () => {
  const model = fakeModel(additive, { width: W, height: H, batchSize: 64 });
  const map = await kernelShap(model, whiteImage(W, H), { target: 0, division, samples: 200, seed: 2 });
  weights.forEach((w, r) => {
    const v = map.data[division.labels.indexOf(r)];
    assert.ok(Math.abs(v - w) < 1e-6, `region ${r}: ${v} vs ${w}`);
  });
  assert.ok(model.forwardPasses < 202, `repeated coalitions are evaluated once (${model.forwardPasses} passes)`);
});

test("lime(additive game) orders regions like the weights and keeps their signs", async () => {
  const model = fakeModel(additive, { width: W, height: H, batchSize: 64 });
  const map = await lime(model, whiteImage(W, H), { target: 0, division, samples: 400, seed: 3 });
  const values = weights.map((_, r) => map.data[division.labels.indexOf(r)]);
  assert.equal(values.indexOf(Math.max(...values)), 4, "the heaviest region is first");
  assert.ok(values[6] < 0 && values[1] < 0, "negative contributions stay negative");
  assert.equal(model.forwardPasses, 401);
});

test("baselines abort between batches and validate options", async () => {
  const model = fakeModel(squareScore, { width: W, height: H, batchSize: 10 });
  const controller = new AbortController();
  await assert.rejects(
    rise(model, whiteImage(W, H), { target: 0, masks: 100, signal: controller.signal, onProgress: (p) => p.done >= 20 && controller.abort() }),
    { name: "AbortError" },
  );
  assert.ok(model.forwardPasses <= 30);
  await assert.rejects(rise(model, whiteImage(W, H), { target: 0, keepProbability: 1.5 }), /keepProbability 1.5 is not allowed: use 0 < p < 1/);
  await assert.rejects(occlusion(model, whiteImage(W, H), { target: 0, patch: 100 }), /patch 100 is not allowed: use 1\.\.24/);
});
