import assert from "node:assert/strict";
import { test } from "node:test";
import { Explainer } from "../../src";
import { fastSearch } from "../../src/search/fast";
import { greedySearch } from "../../src/search/greedy";
import type { SearchContext } from "../../src/search/types";
import type { ScoreTerms } from "../../src/score/submodular";
import { fakeModel, SQUARE_SIDE, squareScore } from "../support/fake-model";

const terms = (F: number): ScoreTerms => ({ cons: F, colla: 0, conf: 0, eff: 0, F });

/** A context over an analytic set function F, counting the subsets it scores (evaluateSets too when `sets`). */
function toyContext(m: number, F: (subset: readonly number[]) => number, adjacency?: number[][], sets = false): SearchContext & { evaluated: number } {
  const ctx = {
    m,
    evaluated: 0,
    adjacency,
    async evaluate(base: readonly number[], candidates: readonly number[]) {
      ctx.evaluated += candidates.length;
      return candidates.map((a) => terms(F([...base, a])));
    },
    async evaluateEmpty() {
      return terms(F([]));
    },
    ...(sets ? { evaluateSets: async (subsets: readonly (readonly number[])[]) => subsets.map((s) => terms(F(s))) } : {}),
  };
  return ctx;
}

/** Weighted coverage, a monotone submodular F: region i covers items cover[i]; F = Σ weights of covered items. */
function coverage(m: number, seed: number): (s: readonly number[]) => number {
  const items = 3 * m;
  const weight = Array.from({ length: items }, (_, j) => ((j * 7919 + seed * 104729) % 97) + 1);
  const cover = Array.from({ length: m }, (_, i) => [i % items, (i * 5 + seed) % items, (i * 11 + 3 * seed) % items, (i + m) % items]);
  return (s) => {
    const covered = new Set<number>();
    for (const r of s) for (const j of cover[r]) covered.add(j);
    let total = 0;
    for (const j of covered) total += weight[j];
    return total;
  };
}

test("fastSearch(modular F) returns the regions by weight, ties to the lowest index, within its budget", async () => {
  const w = [3, 9, 1, 9, 4, 7, 2, 8, 6, 5, 0.5, 1.5];
  const F = (s: readonly number[]) => s.reduce((a, r) => a + w[r], 0);
  const ctx = toyContext(w.length, F);
  const result = await fastSearch(ctx);
  assert.deepEqual(result.order, [1, 3, 7, 5, 8, 9, 4, 0, 6, 11, 2, 10]);
  assert.equal(result.staleBounds?.exceeded, 0, "a modular F never raises a stale gain");
  const greedy = toyContext(w.length, F);
  await greedySearch(greedy);
  assert.equal(greedy.evaluated, (12 * 13) / 2);
  // Two ends: S_fwd, then S_rev reversed — its two picks (while more than 8 regions were left) are the lightest.
  assert.equal(result.forwardLength, 10);
  assert.deepEqual(result.steps.slice(10).map((s) => s.direction), ["reverse", "reverse"]);
  // step 0: 12; ten forward pools of ≤ 3 and two reverse pools of 3; within the default budget 4 × 12.
  assert.ok(ctx.evaluated <= 4 * 12 && ctx.evaluated > 12 + 12, `${ctx.evaluated} evaluations`);
  assert.equal(result.evaluations, ctx.evaluated);
});

for (const seed of [1, 2, 3]) {
  test(`fastSearch(weighted coverage ${seed}) finds greedy's order exactly (lazy greedy is exact on a submodular F)`, async () => {
    const m = 16;
    const F = coverage(m, seed);
    const lazy = toyContext(m, F);
    // Enough rounds to always confirm the pick: the lazy-greedy guarantee.
    const result = await fastSearch(lazy, { budget: m, pool: 1, rounds: m, neighbours: 0, newcomers: 0, reversePool: 0 });
    const exact = toyContext(m, F);
    const reference = await greedySearch(exact);
    assert.deepEqual(result.order, reference.order);
    assert.equal(result.staleBounds?.exceeded, 0);
    assert.ok(lazy.evaluated < exact.evaluated, `${lazy.evaluated} < ${exact.evaluated}`);
  });
}

test("fastSearch uses the adjacency it is given: a neighbour that only pays together with the first pick comes second", async () => {
  const m = 12;
  // Region 0 is best alone; its neighbour 1 is worth nothing alone but 30 next to 0 (supermodular pair).
  const F = (s: readonly number[]) => s.reduce((a, r) => a + (r === 0 ? 5 : r === 1 ? 0 : 1 + r / 100), 0) + (s.includes(0) && s.includes(1) ? 30 : 0);
  const adjacency = Array.from({ length: m }, (_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < m));
  const withNeighbours = await fastSearch(toyContext(m, F, adjacency), { pool: 2, newcomers: 1, neighbours: 1, reversePool: 0 });
  const without = await fastSearch(toyContext(m, F, adjacency), { pool: 2, newcomers: 1, neighbours: 0, reversePool: 0 });
  assert.deepEqual(withNeighbours.order.slice(0, 2), [0, 1]);
  assert.equal(without.order[0], 0);
  assert.notEqual(without.order[1], 1);
  assert.ok(withNeighbours.staleBounds!.exceeded >= 1, "the pair's gain grew: F is not submodular here, and the count shows it");
});

test("fastSearch is deterministic, never requests more evaluations than its budget, and bad options are RangeErrors naming the value", async () => {
  const m = 14;
  const F = coverage(m, 5);
  const a = await fastSearch(toyContext(m, F), { pool: 5 });
  const b = await fastSearch(toyContext(m, F), { pool: 5 });
  assert.deepEqual(a.order, b.order);
  assert.deepEqual(a.steps.map((s) => s.terms.F), b.steps.map((s) => s.terms.F));
  assert.deepEqual([...a.order].sort((x, y) => x - y), Array.from({ length: m }, (_, i) => i));
  for (const budget of [2, 2.5, 3.6, 6]) {
    for (const rounds of [0, 3]) {
      const ctx = toyContext(m, F, undefined, true);
      const r = await fastSearch(ctx, { budget, pool: 6, rounds, reversePool: rounds });
      assert.ok(ctx.evaluated <= Math.max(2 * m - 1, Math.floor(budget * m)), `budget ${budget}, rounds ${rounds}: ${ctx.evaluated} evaluations`);
      assert.equal(r.order.length, m);
    }
  }
  // The smallest budget, 2 × |V|: step 0 takes |V|, each later step one, and one is left over.
  const tight = toyContext(m, F);
  await fastSearch(tight, { budget: 2 });
  assert.equal(tight.evaluated, 2 * m);
  await assert.rejects(fastSearch(toyContext(m, F), { pool: 0 }), /pool 0 is not allowed: use an integer ≥ 1/);
  await assert.rejects(fastSearch(toyContext(m, F), { budget: 1.5 }), /budget 1.5 is not allowed: use a number ≥ 2/);
  await assert.rejects(fastSearch(toyContext(m, F), { proxy: "random" as never }), /proxy "random" is not allowed: use one of both, singleton, deletion/);
  await assert.rejects(fastSearch(toyContext(m, F), { tail: "x" as never }), /tail "x" is not allowed/);
  await assert.rejects(fastSearch(toyContext(m, F), { adjacentScope: "near" as never }), /adjacentScope "near" is not allowed: use one of last, all/);
  await assert.rejects(fastSearch(toyContext(m, F), { reversePool: -1 }), /reversePool -1 is not allowed: use an integer ≥ 0/);
});

test("fastSearch's leave-one-out proxy finds the parts of an object that pay only next to its first part (their singleton gains are zero)", async () => {
  const m = 20;
  // Region 13 is the best singleton; 15 and 17 are worth nothing alone and 5 each next to 13;
  // every other region a little, more for lower indices. Greedy's order starts 13, 15, 17.
  const F = (s: readonly number[]) => (s.includes(13) ? 1 + 5 * s.filter((r) => r === 15 || r === 17).length : 0)
    + s.filter((r) => r !== 13 && r !== 15 && r !== 17).reduce((a, r) => a + 0.01 * (m - r), 0);
  const options = { pool: 2, newcomers: 2, neighbours: 0, budget: 3, reversePool: 0 } as const;
  const both = await fastSearch(toyContext(m, F, undefined, true), options);
  const singleton = await fastSearch(toyContext(m, F, undefined, true), { ...options, proxy: "singleton" });
  const reference = await greedySearch(toyContext(m, F));
  assert.deepEqual(reference.order.slice(0, 3), [13, 15, 17]);
  assert.deepEqual(both.order.slice(0, 3), [13, 15, 17]);
  assert.ok(singleton.order.indexOf(15) > 2 && singleton.order.indexOf(17) > 2, `singleton proxy: ${singleton.order}`);
});

test("Explainer({ search: \"fast\" }) puts the square's regions first and counts fewer passes than greedy", async () => {
  const image = { width: SQUARE_SIDE, height: SQUARE_SIDE, data: new Float32Array(SQUARE_SIDE * SQUARE_SIDE * 3).fill(255) };
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE });
  const division = { method: "grid", regions: 9 } as const;
  const fast = await new Explainer(model, { search: "fast", division }).explain(image, { target: 0 });
  // grid 3×3 of 8-pixel cells: the square [8,16)² is exactly the centre cell 4.
  assert.equal(fast.order[0], 4);
  assert.ok(Math.abs(fast.insertion.y[1] - 1) < 1e-6);
  const greedy = await new Explainer(fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE }), { search: "greedy", division }).explain(image, { target: 0 });
  assert.ok(fast.forwardPasses < greedy.forwardPasses, `${fast.forwardPasses} < ${greedy.forwardPasses}`);
  assert.equal(fast.forwardPasses, model.forwardPasses);
});
