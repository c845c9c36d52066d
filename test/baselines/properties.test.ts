import assert from "node:assert/strict";
import { test } from "node:test";
import { kernelShap, lime, occlusion, rise } from "../../src/baselines";
import { gridDivision, regionPixels } from "../../src/division";
import { loadModel } from "../../src/model/load";
import type { RgbImage, SaliencyMap } from "../../src/types";
import { fakeModel, whiteImage } from "../support/fake-model";
import { linearModel, writeTestModel } from "../support/onnx-graphs";

const W = 16, H = 16;
const division = gridDivision(W, H, { n: 2 });
const centre = (r: number) => (Math.floor(r / 2) * 8 + 4) * W + (r % 2) * 8 + 4;
const visible = (img: RgbImage, r: number) => (img.data[3 * centre(r)] > 0 ? 1 : 0);
/** A game with interactions: an AND of regions 0 and 1, an OR of 2 and 3, and a lone term on 0. */
const game = (z: readonly number[]) => 0.5 * z[0] * z[1] + 0.3 * Math.max(z[2], z[3]) + 0.1 * z[0];
const gameModel = (img: RgbImage) => game([0, 1, 2, 3].map((r) => visible(img, r)));

/** Shapley values by their definition: φ_i = Σ_S |S|!(m−|S|−1)!/m! · (f(S ∪ i) − f(S)). */
function shapley(f: (z: number[]) => number, m: number): number[] {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  return Array.from({ length: m }, (_, i) => {
    let phi = 0;
    for (let bits = 0; bits < 2 ** m; bits++) {
      if (bits & (1 << i)) continue;
      const z = Array.from({ length: m }, (_, j) => (bits >> j) & 1);
      const s = z.reduce((a, v) => a + v, 0);
      phi += ((fact(s) * fact(m - s - 1)) / fact(m)) * (f(z.map((v, j) => (j === i ? 1 : v))) - f(z));
    }
    return phi;
  });
}

const regionValue = (map: SaliencyMap, r: number) => map.data[regionPixels(division)[r][0]];

test("kernelShap with every coalition (2^|V| − 2 ≤ samples) gives the exact Shapley values of a non-additive game", async () => {
  const model = fakeModel(gameModel, { width: W, height: H });
  const map = await kernelShap(model, whiteImage(W, H), { target: 0, division });
  const exact = shapley(game, 4);
  exact.forEach((phi, r) => assert.ok(Math.abs(regionValue(map, r) - phi) < 1e-6, `region ${r}: ${regionValue(map, r)} vs ${phi}`));
  assert.equal(model.forwardPasses, 16, "all 2^4 coalitions, once each");
});

test("kernelShap by sampling keeps efficiency exact: Σφ = f(V) − f(∅)", async () => {
  const nine = gridDivision(24, 24, { n: 3 });
  const pixels = regionPixels(nine);
  const f = (img: RgbImage) => {
    const z = pixels.map((p) => (img.data[3 * p[0]] > 0 ? 1 : 0));
    return 0.4 * z[0] * z[4] + 0.2 * Math.max(z[1], z[7], z[8]) + 0.05 * z.reduce((a: number, v) => a + v, 0);
  };
  const map = await kernelShap(fakeModel(f, { width: 24, height: 24 }), whiteImage(24, 24), { target: 0, division: nine, samples: 100, seed: 4 });
  const total = pixels.reduce((s, p) => s + map.data[p[0]], 0);
  assert.ok(Math.abs(total - (0.4 + 0.2 + 0.45)) < 1e-6, `Σφ = ${total}`);
});

test("rise(constant model) gives a flat map: every pixel's expected mask value is the keep probability", async () => {
  const model = fakeModel(() => 1, { width: 30, height: 30, batchSize: 64 });
  const map = await rise(model, whiteImage(30, 30), { target: 0, masks: 400, grid: 7, seed: 2 });
  const column = (x: number) => Array.from({ length: 30 }, (_, y) => map.data[y * 30 + x]).reduce((a, v) => a + v, 0) / 30;
  const row = (y: number) => map.data.subarray(y * 30, y * 30 + 30).reduce((a, v) => a + v, 0) / 30;
  for (const i of [0, 1, 15, 28, 29]) {
    assert.ok(Math.abs(column(i) - 1) < 0.1, `column ${i}: ${column(i)}`);
    assert.ok(Math.abs(row(i) - 1) < 0.1, `row ${i}: ${row(i)}`);
  }
});

test("seeded baselines: the same seed gives the same bytes, another seed another map", async () => {
  const model = fakeModel(gameModel, { width: W, height: H });
  const nine = gridDivision(W, H, { n: 3 });
  for (const run of [
    (seed: number) => rise(model, whiteImage(W, H), { target: 0, masks: 40, seed }),
    (seed: number) => kernelShap(model, whiteImage(W, H), { target: 0, division: nine, samples: 30, seed }),
    (seed: number) => lime(model, whiteImage(W, H), { target: 0, division: nine, samples: 30, seed }),
  ]) {
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    assert.deepEqual(a.data, b.data);
    assert.notDeepEqual(a.data, c.data);
  }
});

test("baselines report {done, total} after every model batch, ending at the total", async () => {
  const model = fakeModel(gameModel, { width: W, height: H, batchSize: 6 });
  const seen: Record<string, { done: number; total: number }[]> = { rise: [], occlusion: [], kernelshap: [], lime: [] };
  await rise(model, whiteImage(W, H), { target: 0, masks: 20, onProgress: (p) => seen.rise.push(p) });
  await occlusion(model, whiteImage(W, H), { target: 0, patch: 8, stride: 4, onProgress: (p) => seen.occlusion.push(p) });
  await kernelShap(model, whiteImage(W, H), { target: 0, division, onProgress: (p) => seen.kernelshap.push(p) });
  await lime(model, whiteImage(W, H), { target: 0, division, samples: 10, onProgress: (p) => seen.lime.push(p) });
  assert.deepEqual(seen.rise.map((p) => p.done), [6, 12, 18, 20]);
  assert.deepEqual(seen.occlusion.map((p) => `${p.done}/${p.total}`), ["6/9", "9/9"]);
  assert.deepEqual(seen.kernelshap.map((p) => `${p.done}/${p.total}`), ["6/16", "12/16", "16/16"]);
  assert.deepEqual(seen.lime.map((p) => `${p.done}/${p.total}`), ["6/11", "11/11"]);
});

test("on an ONNX linear model, Kernel SHAP and occlusion give each region exactly its summed weights", async () => {
  const n = 3 * W * H;
  const weights = Float32Array.from({ length: n }, (_, i) => (((i * 37) % 11) - 5) / 500);
  // Class scores 0.5 ± Σ w·x: true probabilities (≥ 0, summing to 1, as the card's outputKind is checked), linear in x.
  const file = writeTestModel(linearModel({ width: W, height: H, weights: [weights, weights.map((w) => -w)], bias: [0.5, 0.5] }), { name: "linear16", width: W, height: H, classes: ["a", "b"], outputKind: "probabilities" });
  const model = await loadModel(file, { batchSize: 8 });
  try {
    // Class 0's output is 0.5 + Σ w·x with x = pixel/255, so a region's contribution is the sum of its weights (NCHW).
    const regionSum = (pixels: ArrayLike<number>) => {
      let s = 0;
      for (let k = 0; k < pixels.length; k++) for (let c = 0; c < 3; c++) s += weights[c * W * H + pixels[k]];
      return s;
    };
    const shap = await kernelShap(model, whiteImage(W, H), { target: 0, division });
    regionPixels(division).forEach((pixels, r) => assert.ok(Math.abs(regionValue(shap, r) - regionSum(pixels)) < 1e-5, `region ${r}`));
    const occ = await occlusion(model, whiteImage(W, H), { target: 0, patch: 8, stride: 8 });
    regionPixels(division).forEach((pixels, r) => assert.ok(Math.abs(occ.data[pixels[0]] - regionSum(pixels)) < 1e-5, `patch ${r}`));
    assert.equal(model.forwardPasses, 16 + 5);
  } finally {
    await model.dispose();
  }
});
