import assert from "node:assert/strict";
import { test } from "node:test";
import { Explainer } from "../../src";
import { fastSearch } from "../../src/search/fast";
import { greedySearch } from "../../src/search/greedy";
import type { SearchContext } from "../../src/search/types";
import type { ScoreTerms } from "../../src/score/submodular";
import { fakeModel, SQUARE_SIDE, squareScore } from "../support/fake-model";

const terms = (F: number): ScoreTerms => ({ cons: F, colla: 0, conf: 0, eff: 0, F });

/** A context over an analytic set function F, counting the subsets it scores. */
function toyContext(m: number, F: (subset: readonly number[]) => number, adjacency?: number[][]): SearchContext & { evaluated: number } {
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

test("fastSearch(modular F) returns the regions by weight, ties to the lowest index, in far fewer evaluations than greedy", async () => {
  const w = [3, 9, 1, 9, 4, 7, 2, 8, 6, 5, 0.5, 1.5];
  const F = (s: readonly number[]) => s.reduce((a, r) => a + w[r], 0);
  const ctx = toyContext(w.length, F);
  const result = await fastSearch(ctx);
  assert.deepEqual(result.order, [1, 3, 7, 5, 8, 9, 4, 0, 6, 11, 2, 10]);
  assert.equal(result.staleBounds?.exceeded, 0, "a modular F never raises a stale gain");
  const greedy = toyContext(w.length, F);
  await greedySearch(greedy);
  assert.equal(greedy.evaluated, (12 * 13) / 2);
  // step 0: 12; steps 1..6: pool 2; steps 7..11: latePool 1 (the last step has one candidate) — and no extra rounds.
  assert.equal(ctx.evaluated, 12 + 6 * 2 + 5 * 1);
});

for (const seed of [1, 2, 3]) {
  test(`fastSearch(weighted coverage ${seed}) finds greedy's order exactly (lazy greedy is exact on a submodular F)`, async () => {
    const m = 16;
    const F = coverage(m, seed);
    const lazy = toyContext(m, F);
    // Enough rounds to always confirm the pick: the lazy-greedy guarantee.
    const result = await fastSearch(lazy, { pool: 1, latePool: 1, rounds: m, neighbours: 0 });
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
  const withNeighbours = await fastSearch(toyContext(m, F, adjacency), { pool: 1, rounds: 1, neighbours: 1 });
  const without = await fastSearch(toyContext(m, F, adjacency), { pool: 1, rounds: 1, neighbours: 0 });
  assert.deepEqual(withNeighbours.order.slice(0, 2), [0, 1]);
  assert.equal(without.order[0], 0);
  assert.notEqual(without.order[1], 1);
  assert.ok(withNeighbours.staleBounds!.exceeded >= 1, "the pair's gain grew: F is not submodular here, and the count shows it");
});

test("fastSearch is deterministic for a seed; bad options are RangeErrors naming the value", async () => {
  const m = 14;
  const F = coverage(m, 5);
  const a = await fastSearch(toyContext(m, F), { seed: 7, explore: 2 });
  const b = await fastSearch(toyContext(m, F), { seed: 7, explore: 2 });
  assert.deepEqual(a.order, b.order);
  assert.deepEqual([...a.order].sort((x, y) => x - y), Array.from({ length: m }, (_, i) => i));
  await assert.rejects(fastSearch(toyContext(m, F), { pool: 0 }), /pool 0 is not allowed: use an integer ≥ 1/);
  await assert.rejects(fastSearch(toyContext(m, F), { explore: 1.5 }), /explore 1.5 is not allowed/);
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

test("coarseBlocks(adjacency, count) covers every region once with connected blocks of at most ⌈m / count⌉", async () => {
  const { coarseBlocks } = await import("../../src/search/fast");
  // A 4×4 grid of regions, 4-neighbour adjacency.
  const adjacency = Array.from({ length: 16 }, (_, r) => [r - 4, r - 1, r + 1, r + 4].filter((q) => q >= 0 && q < 16 && (Math.abs(q - r) === 4 || Math.floor(q / 4) === Math.floor(r / 4))));
  const blocks = coarseBlocks(adjacency, 4);
  assert.deepEqual(blocks.flat().sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i));
  assert.ok(blocks.every((b) => b.length <= 4));
  assert.deepEqual(blocks[0], [0, 1, 2, 4], "breadth-first from region 0: its neighbours 1 and 4, then 1's neighbour 2");
  for (const b of blocks) {
    // connected: every member but the first touches an earlier-listed member of the block through the adjacency
    const seen = new Set([b[0]]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of b) if (!seen.has(r) && adjacency[r].some((q) => seen.has(q))) (seen.add(r), (grew = true));
    }
    assert.equal(seen.size, b.length, `block ${b} is connected`);
  }
});
