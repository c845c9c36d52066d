import assert from "node:assert/strict";
import { test } from "node:test";
import { loadModel } from "../../src";
import { gridDivision } from "../../src/division";
import { bucketProbs, chooseBuckets, jsDivergence, jsLogitGradient, salvageMethod, salvageRegions } from "../../src/methods/salvage";
import { linearModel, writeTestModel } from "../support/onnx-graphs";
import { whiteImage } from "../support/fake-model";

const SIDE = 12, GRID = 3;

/** Per-region logit contributions a[i][c] of a 3-class model on a 3×3 grid of 4×4 patches. */
const A = [
  [2.0, 0.3, 0],
  [1.5, -0.4, 0],
  [1.0, 0.8, 0],
  [0.6, -0.2, 0],
  [0.3, 0.5, 0],
  [0.0, -0.6, 0],
  [-0.3, 0.1, 0],
  [-0.7, 0.4, 0],
  [-1.2, -0.3, 0],
];
const BIAS = [-1, 0.5, 0];

/**
 * A linear ONNX classifier whose logit for class c on a white image with region set S kept (black
 * elsewhere) is exactly BIAS[c] + Σ_{i∈S} A[i][c]: each pixel-channel of region i weighs A[i][c]/48.
 */
async function additiveModel() {
  const division = gridDivision(SIDE, SIDE, { n: GRID });
  const weights = [0, 1, 2].map((c) => {
    const w = new Float32Array(3 * SIDE * SIDE);
    for (let p = 0; p < SIDE * SIDE; p++) for (let ch = 0; ch < 3; ch++) w[ch * SIDE * SIDE + p] = A[division.labels[p]][c] / 48;
    return w;
  });
  const card = writeTestModel(linearModel({ width: SIDE, height: SIDE, weights, bias: BIAS }), { name: "additive", width: SIDE, height: SIDE, classes: ["a", "b", "c"] });
  return { model: await loadModel(card, { batchSize: 64 }), division };
}

/** Shapley value of region i for the centred log-probability log p_0 − mean_c log p_c, which is additive here. */
const trueShapley = A.map((row) => row[0] - (row[0] + row[1] + row[2]) / 3);

test("salvageRegions(additive logit model) recovers the Shapley values of the centred log-probability: same order, |error| < 0.05", async () => {
  const { model, division } = await additiveModel();
  try {
    const fit = await salvageRegions(model, whiteImage(SIDE, SIDE), division, 0, { budget: 400, topk: 3, epochs: 60, seed: 3 });
    assert.equal(fit.forwardPasses, 400);
    assert.equal(fit.buckets.other, false);
    const byTruth = trueShapley.map((_, i) => i).sort((a, b) => trueShapley[b] - trueShapley[a]);
    const byFit = Array.from(fit.phi.keys()).sort((a, b) => fit.phi[b] - fit.phi[a]);
    assert.deepEqual(byFit, byTruth);
    for (let i = 0; i < A.length; i++) assert.ok(Math.abs(fit.phi[i] - trueShapley[i]) < 0.05, `region ${i}: fitted ${fit.phi[i]}, true ${trueShapley[i]}`);
    assert.ok(fit.loss < 1e-3, `final JS ${fit.loss}`);
  } finally {
    await model.dispose();
  }
});

/** Exact Shapley values of the game g(S) by enumerating all 2^n coalitions (n small). */
function exactShapley(n: number, g: (kept: number[]) => number): number[] {
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(n).fill(0);
  for (let bits = 0; bits < 2 ** n; bits++) {
    const S = Array.from({ length: n }, (_, i) => i).filter((i) => bits & (1 << i));
    const gS = g(S);
    for (let i = 0; i < n; i++) {
      if (bits & (1 << i)) continue;
      const w = (fact(S.length) * fact(n - S.length - 1)) / fact(n);
      phi[i] += w * (g([...S, i]) - gS);
    }
  }
  return phi;
}

test("salvageRegions with top-1 + other bucket: φ ≈ exact Shapley values of the target's log-odds (top-3 order, |error| < 0.15)", async () => {
  const { model, division } = await additiveModel();
  try {
    const fit = await salvageRegions(model, whiteImage(SIDE, SIDE), division, 0, { budget: 400, topk: 1, epochs: 60, seed: 1 });
    assert.equal(fit.buckets.other, true);
    assert.deepEqual(fit.buckets.classes, [0]);
    // Two buckets, centred: φ_0 = ½(φ⁺ − φ⁻ of log-odds); the log-odds game is not additive, so this is an approximation.
    const logOdds = (S: number[]) => {
      const l = [0, 1, 2].map((c) => BIAS[c] + S.reduce((s, i) => s + A[i][c], 0));
      return l[0] - Math.log(Math.exp(l[1]) + Math.exp(l[2]));
    };
    const truth = exactShapley(A.length, logOdds).map((v) => v / 2);
    const top = (x: ArrayLike<number>) => Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[b] - x[a]).slice(0, 3);
    assert.deepEqual(top(fit.phi), top(truth));
    for (let i = 0; i < A.length; i++) assert.ok(Math.abs(fit.phi[i] - truth[i]) < 0.15, `region ${i}: fitted ${fit.phi[i]}, exact ${truth[i]}`);
  } finally {
    await model.dispose();
  }
});

test("salvageMethod.create(model).attribute(image) is seeded, uses the request's division and reports φ±", async () => {
  const { model, division } = await additiveModel();
  try {
    const attributor = salvageMethod.create(model, { budget: 120, topk: 3 });
    const a = await attributor.attribute(whiteImage(SIDE, SIDE), { target: 0, division });
    const b = await attributor.attribute(whiteImage(SIDE, SIDE), { target: 0, division });
    assert.deepEqual(a.map.data, b.map.data);
    assert.equal(a.forwardPasses, 120);
    assert.equal(a.order?.length, 9);
    assert.equal(a.order?.[0], 0);
    const d = a.details as { phi: number[]; phiPlus: number[]; phiMinus: number[] };
    d.phi.forEach((v, i) => assert.ok(Math.abs(v - (d.phiPlus[i] - d.phiMinus[i])) < 1e-9));
    assert.throws(() => salvageMethod.create(model, { budget: 1 }), /budget 1 is not allowed/);
    assert.throws(() => salvageMethod.create(model, { bogus: 1 }), /unknown option "bogus"/);
  } finally {
    await model.dispose();
  }
});

test("chooseBuckets(probs, k, target) keeps the top-k with the target and pools the rest", () => {
  const probs = [0.1, 0.5, 0.05, 0.3, 0.05];
  assert.deepEqual(chooseBuckets(probs, 2, 1), { classes: [1, 3], other: true });
  assert.deepEqual(chooseBuckets(probs, 2, 4), { classes: [1, 4], other: true });
  assert.deepEqual(chooseBuckets(probs, 9, 0).classes, [1, 3, 0, 2, 4]);
  const v = bucketProbs({ classes: [1, 3], other: true }, probs);
  assert.deepEqual(Array.from(v, (x) => Math.round(x * 1000) / 1000), [0.5, 0.3, 0.2]);
  assert.throws(() => chooseBuckets(probs, 2, 7), /target 7 is not allowed/);
});

test("jsLogitGradient matches finite differences of the JS divergence", () => {
  const logits = Float64Array.from([0.3, -1.2, 0.8, 0.1]);
  const v = Float64Array.from([0.1, 0.2, 0.6, 0.1]);
  const g = new Float64Array(4);
  const js = jsLogitGradient(logits, v, g);
  const at = (l: Float64Array) => {
    const e = Array.from(l, Math.exp), s = e.reduce((a, b) => a + b, 0);
    return jsDivergence(e.map((x) => x / s), v);
  };
  assert.ok(Math.abs(js - at(logits)) < 1e-12);
  for (let k = 0; k < 4; k++) {
    const up = Float64Array.from(logits), dn = Float64Array.from(logits);
    up[k] += 1e-6;
    dn[k] -= 1e-6;
    assert.ok(Math.abs((at(up) - at(dn)) / 2e-6 - g[k]) < 1e-6, `k=${k}`);
  }
  assert.equal(jsDivergence([0.5, 0.5], [0.5, 0.5]), 0);
  assert.ok(Math.abs(jsDivergence([1, 0], [0, 1]) - Math.log(2)) < 1e-12);
});
