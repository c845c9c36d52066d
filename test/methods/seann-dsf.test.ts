import assert from "node:assert/strict";
import { test } from "node:test";
import { attributeByMarginalGains, greedyMaximize } from "../../src/methods/seann/greedy";
import { cloneDsf, createDsf, type Dsf, dsfBackward, dsfForward, dsfSetValue, dsfValue, minParameter, zeroGradient } from "../../src/methods/seann/dsf";
import { trainDsf } from "../../src/methods/seann/train";
import { createRandom, type Random } from "../../src/util/random";

function randomSet(n: number, p: number, random: Random): number[] {
  return Array.from({ length: n }, (_, i) => i).filter(() => random.next() < p);
}

/** f(A) ≤ f(B) for A ⊆ B, and f(v | A) ≥ f(v | B) for v ∉ B, on random Boolean inputs. */
function assertMonotoneSubmodular(dsf: Dsf, random: Random, trials: number): void {
  const n = dsf.inputs;
  for (let t = 0; t < trials; t++) {
    const B = randomSet(n, 0.6, random);
    const A = B.filter(() => random.next() < 0.5);
    const outside = Array.from({ length: n }, (_, i) => i).filter((v) => !B.includes(v));
    const fA = dsfSetValue(dsf, A), fB = dsfSetValue(dsf, B);
    const tol = 1e-9 * Math.max(1, Math.abs(fB));
    assert.ok(fA <= fB + tol, `monotone: f(A) ${fA} ≤ f(B) ${fB}`);
    for (const v of outside.slice(0, 3)) {
      const gA = dsfSetValue(dsf, [...A, v]) - fA, gB = dsfSetValue(dsf, [...B, v]) - fB;
      assert.ok(gA >= gB - tol, `diminishing returns: f(${v}|A) ${gA} ≥ f(${v}|B) ${gB}`);
      assert.ok(gB >= -tol, `f(${v}|B) ${gB} ≥ 0`);
    }
  }
}

/** Supervision from a known saturating target: maps concentrated on `important`, plus noise, and their top cells. */
function knownSupervision(n: number, important: readonly number[], random: Random) {
  const maps = [0.1, 0.2, 0.3].map((noise) => Float64Array.from({ length: n }, (_, v) => (important.includes(v) ? 1 - noise * random.next() : noise * random.next())));
  const subsets = maps.flatMap((h) => [2, 3].map((b) => Array.from(h.keys()).sort((x, y) => h[y] - h[x] || x - y).slice(0, b)));
  return { maps, subsets };
}

test("createDsf: non-negative weights from U(2, 2.25), the paper's shape by default, seeded", () => {
  const a = createDsf({ inputs: 784 }, createRandom(3)), b = createDsf({ inputs: 784 }, createRandom(3));
  assert.deepEqual(a.layers.map((l) => [l.inputs, l.outputs]), [[784, 512], [512, 128], [128, 32], [32, 1]]);
  assert.ok(minParameter(a) >= 2);
  assert.ok(a.layers.every((l) => l.w.every((v) => v <= 2.25)));
  assert.deepEqual(Array.from(a.layers[2].w), Array.from(b.layers[2].w));
  assert.throws(() => createDsf({ inputs: 4, activation: "relu" as never }, createRandom(0)), /activation "relu" is not allowed: use one of sqrt, log1p/);
  assert.throws(() => createDsf({ inputs: 0 }, createRandom(0)), /inputs 0 is not allowed/);
});

test("dsfBackward matches central finite differences of f for a heat map (sqrt and log1p)", () => {
  for (const activation of ["sqrt", "log1p"] as const) {
    const random = createRandom(7);
    const dsf = createDsf({ inputs: 6, hidden: [5, 3], activation, initLow: 0.1, initHigh: 1 }, random);
    const x = Float64Array.from({ length: 6 }, () => random.next());
    const grad = zeroGradient(dsf);
    dsfBackward(dsf, dsfForward(dsf, x), 1, grad);
    for (let l = 0; l < dsf.layers.length; l++) {
      for (const [params, g] of [[dsf.layers[l].w, grad.w[l]], [dsf.layers[l].b, grad.b[l]]] as const) {
        for (let i = 0; i < params.length; i += 2) {
          const keep = params[i], h = 1e-6;
          params[i] = keep + h;
          const up = dsfValue(dsf, x);
          params[i] = keep - h;
          const down = dsfValue(dsf, x);
          params[i] = keep;
          assert.ok(Math.abs((up - down) / (2 * h) - g[i]) < 1e-5 * Math.max(1, Math.abs(g[i])), `${activation} layer ${l} param ${i}: ${(up - down) / (2 * h)} vs ${g[i]}`);
        }
      }
    }
  }
});

test("the DSF is monotone and submodular on random Boolean inputs before and after training; weights stay ≥ 0", () => {
  const random = createRandom(11);
  const n = 20;
  const dsf = createDsf({ inputs: n, hidden: [16, 8, 4] }, random);
  assertMonotoneSubmodular(dsf, random, 60);
  // A large step drives many weights to the projection boundary 0.
  const report = trainDsf(dsf, knownSupervision(n, [1, 5, 9], random), { epochs: 15, learningRate: 0.5 });
  assert.equal(report.losses.length, 15);
  assert.ok(minParameter(dsf) >= 0, `smallest weight ${minParameter(dsf)}`);
  assert.ok(dsf.layers.some((l) => l.w.some((v) => v === 0)), "some weights were clipped to 0 by the projection");
  assertMonotoneSubmodular(dsf, random, 60);
  for (const activation of ["log1p"] as const) {
    const other = createDsf({ inputs: n, hidden: [8, 4], activation }, random);
    trainDsf(other, knownSupervision(n, [2, 3], random), { epochs: 10, learningRate: 0.3 });
    assert.ok(minParameter(other) >= 0);
    assertMonotoneSubmodular(other, random, 40);
  }
});

test("training recovers a known saturating target: maps on S* are fit and scored above maps of equal mass elsewhere", () => {
  const random = createRandom(5);
  const n = 25, important = [3, 7, 12, 18];
  const dsf = createDsf({ inputs: n, hidden: [16, 8, 4] }, createRandom(1));
  const before = cloneDsf(dsf);
  const sup = knownSupervision(n, important, random);
  const ones = new Float64Array(n).fill(1);
  const fit = (d: Dsf) => sup.maps.map((h) => dsfValue(d, h) / dsfValue(d, ones));
  const report = trainDsf(dsf, sup);
  assert.ok(report.losses.at(-1)! < report.losses[0], `loss ${report.losses[0]} → ${report.losses.at(-1)}`);
  // Heat-map level: the learned f saturates at the supervised maps (f(H_i)/f(H*) rises towards 1).
  const start = fit(before);
  fit(dsf).forEach((r, i) => assert.ok(r <= 1 && 1 - r < 0.7 * (1 - start[i]), `map ${i}: f(H)/f(H*) ${start[i]} → ${r}, the gap to 1 shrinks by 30% or more`));
  // Ordering: a map on S* scores above every map with the same mass on other features (it did not before training, or only by chance).
  const onTarget = Float64Array.from({ length: n }, (_, v) => (important.includes(v) ? 1 : 0));
  for (let t = 0; t < 20; t++) {
    const others = Array.from({ length: n }, (_, v) => v).filter((v) => !important.includes(v)).sort(() => random.next() - 0.5).slice(0, important.length);
    const elsewhere = Float64Array.from({ length: n }, (_, v) => (others.includes(v) ? 1 : 0));
    assert.ok(dsfValue(dsf, onTarget) > dsfValue(dsf, elsewhere), `f(S*) ${dsfValue(dsf, onTarget)} > f(${others}) ${dsfValue(dsf, elsewhere)}`);
  }
  // Subset level: the greedy maximiser of size |S*| is S*, and Algorithm 1 puts S* first.
  assert.deepEqual(greedyMaximize(dsf, important.length).order.slice().sort((a, b) => a - b), important);
  assert.deepEqual(attributeByMarginalGains(dsf).order.slice(0, important.length).sort((a, b) => a - b), important);
});

/** Plain greedy (no lazy evaluation): the reference the lazy versions must match. */
function plainGreedy(dsf: Dsf, steps: number): number[] {
  const A: number[] = [];
  for (let s = 0; s < steps; s++) {
    const fA = dsfSetValue(dsf, A);
    let best = -1, bg = -Infinity;
    for (let v = 0; v < dsf.inputs; v++) {
      if (A.includes(v)) continue;
      const g = dsfSetValue(dsf, [...A, v]) - fA;
      if (g > bg) (bg = g), (best = v);
    }
    A.push(best);
  }
  return A;
}

test("greedyMaximize and Algorithm 1 (lazy, with concavity bounds) pick exactly what the plain greedy picks", () => {
  for (const seed of [1, 2, 3]) {
    const random = createRandom(seed);
    const dsf = createDsf({ inputs: 30, hidden: [12, 6], initLow: 0, initHigh: 1 }, random);
    trainDsf(dsf, knownSupervision(30, [4, 8, 15], random), { epochs: 5, learningRate: 0.05 });
    const reference = plainGreedy(dsf, 30);
    const lazy = greedyMaximize(dsf, 30);
    assert.deepEqual(lazy.order, reference);
    assert.ok(lazy.evaluations < (30 * 31) / 2, `lazy evaluations ${lazy.evaluations} < ${(30 * 31) / 2}`);
    const alg = attributeByMarginalGains(dsf);
    assert.deepEqual(alg.chosen, reference.slice(0, alg.chosen.length));
    // Gains never increase along the order (diminishing returns), and G sums to 1.
    for (let i = 1; i < alg.order.length; i++) assert.ok(alg.attribution[alg.order[i]] <= alg.attribution[alg.order[i - 1]] + 1e-15);
    assert.ok(Math.abs(alg.attribution.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  }
});

/** A DSF set by hand: Linear(4, 3) → √ → Linear(3, 1), f = √(x_a + 0.98·x_a′) + √(0.8·x_b) + √(0.05·x_c). */
function twinDsf(twinWeight: number): Dsf {
  const dsf = createDsf({ inputs: 4, hidden: [3] }, createRandom(0));
  const [l1, l2] = dsf.layers;
  l1.w.fill(0);
  l1.b.fill(0);
  l1.w.set([1, 0, 0], 0); // a → unit 0
  l1.w.set([twinWeight, 0, 0], 3); // a′ (the twin) → unit 0 as well
  l1.w.set([0, 0.8, 0], 6); // b → unit 1
  l1.w.set([0, 0, 0.05], 9); // c → unit 2
  l2.w.fill(1);
  l2.b.fill(0);
  return dsf;
}

test("Algorithm 1 gives a redundant twin a lower attribution than a plain average of the maps does", () => {
  // Three source maps agree that a and its twin a′ matter most, b next, c little.
  const maps = [[1, 1, 0.8, 0.1], [0.9, 0.95, 0.85, 0], [1, 0.9, 0.7, 0.2]];
  const average = [0, 1, 2, 3].map((v) => maps.reduce((s, m) => s + m[v], 0) / maps.length);
  const [a, twin, b] = [0, 1, 2];
  assert.ok(average[twin] > average[b], "the average ranks the twin above b");
  const alg = attributeByMarginalGains(twinDsf(0.98));
  const G = alg.attribution;
  // a first (gain 1), then b (√0.8 ≈ 0.894) before the twin (√1.98 − 1 ≈ 0.407): the twin adds little once a is in.
  assert.deepEqual(alg.order.slice(0, 3), [a, b, twin]);
  assert.ok(Math.abs(G[twin] / G[a] - (Math.sqrt(1.98) - 1)) < 1e-12);
  assert.ok(G[twin] / Math.max(...G) < average[twin] / Math.max(...average), `twin share ${G[twin] / Math.max(...G)} < ${average[twin] / Math.max(...average)}`);
  assert.ok(G[twin] < G[b]);
});

test("Algorithm 1 gives exact twins (tied marginal gains, the set M) the same attribution and adds only one to A", () => {
  const alg = attributeByMarginalGains(twinDsf(1));
  assert.equal(alg.attribution[0], alg.attribution[1]);
  assert.deepEqual(alg.order.slice(0, 2), [0, 1]);
  assert.ok(!alg.chosen.includes(1), "the tied twin leaves V without joining A");
});

test("trainDsf rejects bad hyper-parameters and inputs, naming them", () => {
  const dsf = createDsf({ inputs: 4, hidden: [2] }, createRandom(0));
  assert.throws(() => trainDsf(dsf, { maps: [new Float64Array(4)], subsets: [] }, { learningRate: -1 }), /learningRate -1 is not allowed/);
  assert.throws(() => trainDsf(dsf, { maps: [new Float64Array(3)], subsets: [] }), /heat map has 3 values; the DSF takes 4/);
  assert.throws(() => trainDsf(dsf, { maps: [], subsets: [[7]] }), /subset feature 7 is not allowed: use 0..3/);
  assert.throws(() => greedyMaximize(dsf, -1), /budget -1 is not allowed/);
});
