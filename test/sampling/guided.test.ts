import assert from "node:assert/strict";
import { test } from "node:test";
import { guidedSubsets, minMaxNormalise, shapleyKernelSizes, shapleyKernelSubsets, weightedDraw } from "../../src/sampling";
import { createRandom } from "../../src/util/random";

/**
 * Exact probability that Algorithm 3's half with `weights` yields the kept set `set` (a bit mask
 * over n regions): size uniform on 1..n, then successive draws ∝ weight among those left
 * (uniform among those left once their weights are all 0), summed over every draw order.
 */
function exactProbability(weights: number[], set: number): number {
  const n = weights.length;
  const members = weights.map((_, i) => i).filter((i) => set & (1 << i));
  const orders = (taken: number): number => {
    if (members.every((i) => taken & (1 << i))) return 1;
    const left = weights.map((_, i) => i).filter((i) => !(taken & (1 << i)));
    const total = left.reduce((s, i) => s + weights[i], 0);
    let p = 0;
    for (const i of members) {
      if (taken & (1 << i)) continue;
      const pi = total > 0 ? weights[i] / total : 1 / left.length;
      if (pi > 0) p += pi * orders(taken | (1 << i));
    }
    return p;
  };
  return (1 / n) * orders(0);
}

function chiSquare(weights: number[], draws: Uint8Array[]): { stat: number; df: number; impossibleSeen: number } {
  const n = weights.length;
  const counts = new Array<number>(2 ** n).fill(0);
  for (const z of draws) counts[z.reduce((s, v, i) => s + (v << i), 0)]++;
  let stat = 0, df = -1, impossibleSeen = 0;
  for (let set = 1; set < 2 ** n; set++) {
    const e = exactProbability(weights, set) * draws.length;
    if (e === 0) {
      impossibleSeen += counts[set];
      continue;
    }
    stat += (counts[set] - e) ** 2 / e;
    df++;
  }
  assert.equal(counts[0], 0, "the empty set is never drawn (m ≥ 1)");
  return { stat, df, impossibleSeen };
}

test("guidedSubsets(φ, n, random): both halves follow Algorithm 3's distribution (chi-square, 20000 draws each, p > 0.001)", () => {
  const phi = [0.2, 1.2, 3.2, 2.2]; // φ_norm = [0, 1/3, 1, 2/3]
  const norm = Array.from(minMaxNormalise(phi));
  assert.deepEqual(norm.map((v) => Math.round(v * 1e9) / 1e9), [0, 0.333333333, 1, 0.666666667]);
  const { coalitions, halves } = guidedSubsets(phi, 40000, createRandom(11));
  assert.equal(halves.filter((h) => h === "most").length, 20000);
  const most = chiSquare(norm, coalitions.slice(0, 20000));
  const least = chiSquare(norm.map((w) => 1 - w), coalitions.slice(20000));
  // 99.9% quantiles of χ² by degrees of freedom (sets containing a zero-weight region are impossible below size 4).
  const q999: Record<number, number> = { 7: 24.32, 8: 26.12, 9: 27.88, 10: 29.59, 11: 31.26, 12: 32.91, 13: 34.53, 14: 36.12 };
  for (const r of [most, least]) {
    assert.ok(q999[r.df] !== undefined, `df ${r.df}`);
    assert.ok(r.stat < q999[r.df], `χ² ${r.stat} on ${r.df} df`);
    assert.equal(r.impossibleSeen, 0);
  }
  // The test has power: uniform subsets of uniform size fail it.
  const random = createRandom(5);
  const uniform = Array.from({ length: 20000 }, () => weightedDraw([1, 1, 1, 1], 1 + random.int(4), random));
  const wrong = chiSquare(norm, uniform);
  assert.ok(wrong.impossibleSeen > 0 || wrong.stat > 100);
});

test("guidedSubsets gives more balanced target likelihoods than uniform or Shapley-kernel sampling on a toy AND model", () => {
  // 20 regions; the class needs regions 0 and 1 both kept (v = 0.95), else v = 0.05.
  const m = 20;
  const v = (z: Uint8Array) => (z[0] && z[1] ? 0.95 : 0.05);
  const share = (draws: Uint8Array[]) => draws.filter((z) => v(z) >= 0.5).length / draws.length;
  const phi = Array.from({ length: m }, (_, i) => (i < 2 ? 1 : 0));
  const guided = share(guidedSubsets(phi, 4000, createRandom(1)).coalitions);
  const random = createRandom(2);
  const uniform = share(Array.from({ length: 4000 }, () => Uint8Array.from({ length: m }, () => (random.next() < 0.5 ? 1 : 0))));
  const kernel = share(shapleyKernelSubsets(m, 4000, createRandom(3)));
  // Expected: guided ½·(19/20) + ½·(1/20) = 0.5; uniform coins ¼; the kernel's sizes pile up at the extremes, ≈ 0.36.
  assert.ok(Math.abs(guided - 0.5) < 0.03, `guided ${guided}`);
  assert.ok(Math.abs(guided - 0.5) < Math.abs(uniform - 0.5) - 0.15, `guided ${guided} vs uniform ${uniform}`);
  assert.ok(Math.abs(guided - 0.5) < Math.abs(kernel - 0.5) - 0.1, `guided ${guided} vs kernel ${kernel}`);
});

test("weightedDraw(weights, size, random) never picks zero weights while positive ones are left and checks its size", () => {
  const random = createRandom(4);
  for (let k = 0; k < 200; k++) {
    const z = weightedDraw([0, 2, 0, 1], 2, random);
    assert.deepEqual(Array.from(z), [0, 1, 0, 1]);
  }
  assert.equal(weightedDraw([0, 2, 0, 1], 4, random).reduce((s, v) => s + v, 0), 4);
  assert.throws(() => weightedDraw([1, 1], 3, random), /size 3 is not allowed: use an integer in 0..2/);
  assert.throws(() => minMaxNormalise([1, NaN]), /importance NaN at region 1/);
  assert.deepEqual(Array.from(minMaxNormalise([2, 2, 2])), [1, 1, 1]);
});

test("shapleyKernelSubsets(m, n, random) draws sizes ∝ 1/(s(m − s)) (chi-square, m = 6)", () => {
  const m = 6, n = 30000;
  const cdf = shapleyKernelSizes(m);
  const counts = new Array<number>(m).fill(0);
  for (const z of shapleyKernelSubsets(m, n, createRandom(9))) counts[z.reduce((s, v) => s + v, 0)]++;
  assert.equal(counts[0], 0);
  let stat = 0;
  for (let s = 1; s < m; s++) {
    const e = (cdf[s] - cdf[s - 1]) * n;
    stat += (counts[s] - e) ** 2 / e;
  }
  assert.ok(stat < 18.47, `χ² ${stat} on 4 df`); // 99.9% quantile
  assert.throws(() => shapleyKernelSizes(1), /regions 1 is not allowed/);
});
