import assert from "node:assert/strict";
import { test } from "node:test";
import { Explainer } from "../../src";
import { FAST_DEFAULTS, fastSearch } from "../../src/search/fast";
import { greedySearch } from "../../src/search/greedy";
import type { SearchContext } from "../../src/search/types";
import type { ScoreTerms } from "../../src/score/submodular";
import { fakeModel, SQUARE_SIDE, squareScore } from "../support/fake-model";

const terms = (F: number): ScoreTerms => ({ cons: F, colla: 0, conf: 0, eff: 0, F });

/** A context over an analytic set function F, counting the subsets it scores exactly (two images each). */
function toyContext(m: number, F: (subset: readonly number[]) => number, adjacency?: number[][]): SearchContext & { evaluated: number } {
  const ctx = {
    m,
    evaluated: 0,
    adjacency,
    async evaluate(base: readonly number[], candidates: readonly number[]) {
      ctx.evaluated += candidates.length;
      return candidates.map((a) => terms(F([...base, a])));
    },
  };
  return ctx;
}

/**
 * A context with LIMA's two images: F = 20·cons(S) + 5·colla(S), where `cons` stands for the
 * S-image and `colla` for the complement image. `estimate` holds colla at the base's value, as the
 * explainer's does; `images` counts the distinct images asked for, as the explainer's cache would run them.
 */
function twoImageContext(m: number, cons: (s: readonly number[]) => number, colla: (s: readonly number[]) => number, adjacency?: number[][]) {
  const score = (s: readonly number[], c = colla(s)): ScoreTerms => ({ cons: cons(s), colla: c, conf: 0, eff: 0, F: 20 * cons(s) + 5 * c });
  const seen = new Set<string>();
  const image = (kind: "S" | "C", s: readonly number[]) => {
    const key = `${kind}${[...s].sort((a, b) => a - b).join(",")}`;
    if (!seen.has(key)) (seen.add(key), ctx.images++);
  };
  const ctx = {
    m,
    images: 0,
    adjacency,
    async evaluate(base: readonly number[], candidates: readonly number[]) {
      for (const a of candidates) image("S", [...base, a]), image("C", [...base, a]);
      return candidates.map((a) => score([...base, a]));
    },
    async estimate(base: readonly number[], candidates: readonly number[]) {
      for (const a of candidates) image("S", [...base, a]);
      image("C", base);
      const held = colla(base);
      return candidates.map((a) => score([...base, a], held));
    },
  } satisfies SearchContext & { images: number };
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
  // Forward only: every region was placed at S's end, each step by its own exact F.
  assert.equal(result.forwardLength, 12);
  assert.ok(result.steps.every((s) => s.direction === "forward"));
  result.steps.forEach((s, i) => assert.equal(s.terms.F, F(result.order.slice(0, i + 1))));
  // Without estimates every candidate costs two images; the budget counts them all but step 0's singleton S-images.
  assert.equal(result.evaluations, 2 * ctx.evaluated - 12);
  assert.ok(result.evaluations! <= Math.floor(FAST_DEFAULTS.budget * 12), `${result.evaluations} images`);
});

for (const seed of [1, 2, 3]) {
  test(`fastSearch with a window of |V| and budget to spare is plain greedy (weighted coverage ${seed})`, async () => {
    const m = 16;
    const F = coverage(m, seed);
    const result = await fastSearch(toyContext(m, F), { window: m, budget: 4 * m });
    const reference = await greedySearch(toyContext(m, F));
    assert.deepEqual(result.order, reference.order);
  });
}

test("fastSearch screens a window by S-images (one image each), then measures the pick's complement image", async () => {
  const m = 10;
  // The S-image decides: region weights, every region worth something (the curve is not flat).
  const w = [0.05, 0.3, 0.1, 0.02, 0.2, 0.04, 0.06, 0.08, 0.03, 0.01];
  const cons = (s: readonly number[]) => Math.min(1, s.reduce((a, r) => a + w[r], 0));
  const colla = (s: readonly number[]) => s.length / m;
  const ctx = twoImageContext(m, cons, colla);
  const result = await fastSearch(ctx, { window: 3 });
  assert.deepEqual(result.order.slice(0, 4), [1, 4, 2, 7]);
  result.steps.forEach((s, i) => assert.ok(Math.abs(s.terms.F - (20 * cons(result.order.slice(0, i + 1)) + 5 * colla(result.order.slice(0, i + 1)))) < 1e-12, "every step's F is exact"));
  // Step 0's singleton S-images (the effectiveness term runs them) and the full image (the explainer's
  // first) are not counted; every other image is.
  assert.equal(result.evaluations, ctx.images - m - 1);
  // About one S-image per window place and one complement image per step: far fewer than greedy's 2·Σ(m − i).
  assert.ok(ctx.images - m < m * (m + 1) / 2, `${ctx.images - m} images`);
});

test("fastSearch scores a flat curve exactly: the complement images pick the region whose removal matters", async () => {
  const m = 12;
  // The S-image reads 0 until regions 7 and 9 are both in S (an object seen only whole); the
  // complement image loses the class most without 9, then without 7 (leave-one-out weights).
  const loss = [0.01, 0.02, 0.01, 0.03, 0.01, 0.02, 0.01, 0.3, 0.02, 0.5, 0.01, 0.02];
  const cons = (s: readonly number[]) => (s.includes(7) && s.includes(9) ? 0.9 : 0);
  const colla = (s: readonly number[]) => Math.min(1, s.reduce((a, r) => a + loss[r], 0));
  const flat = await fastSearch(twoImageContext(m, cons, colla));
  assert.deepEqual(flat.order.slice(0, 2), [9, 7]);
  // With flat = 0 the S-images decide alone: they are all 0, ties go to the lowest index, and the object comes late.
  const blind = await fastSearch(twoImageContext(m, cons, colla), { flat: 0 });
  assert.equal(blind.order[0], 0);
  assert.ok(blind.order.indexOf(7) > 1 || blind.order.indexOf(9) > 1, `${blind.order}`);
});

test("fastSearch screens S's neighbours first: a neighbour that only pays together with the first pick comes second", async () => {
  const m = 12;
  // Region 0 is best alone; its neighbour 1 is worth nothing alone but 30 next to 0 (supermodular pair).
  const F = (s: readonly number[]) => s.reduce((a, r) => a + (r === 0 ? 5 : r === 1 ? 0 : 1 + r / 100), 0) + (s.includes(0) && s.includes(1) ? 30 : 0);
  const adjacency = Array.from({ length: m }, (_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < m));
  const near = await fastSearch(toyContext(m, F, adjacency), { window: 2 });
  const blind = await fastSearch(toyContext(m, F), { window: 2 });
  assert.deepEqual(near.order.slice(0, 2), [0, 1]);
  assert.equal(blind.order[0], 0);
  assert.notEqual(blind.order[1], 1);
});

test("fastSearch is deterministic, never requests more images than its budget, and bad options are RangeErrors naming the value", async () => {
  const m = 14;
  const F = coverage(m, 5);
  const a = await fastSearch(toyContext(m, F), { window: 5 });
  const b = await fastSearch(toyContext(m, F), { window: 5 });
  assert.deepEqual(a.order, b.order);
  assert.deepEqual(a.steps.map((s) => s.terms.F), b.steps.map((s) => s.terms.F));
  assert.deepEqual([...a.order].sort((x, y) => x - y), Array.from({ length: m }, (_, i) => i));
  const cons = (s: readonly number[]) => F(s) / F(Array.from({ length: m }, (_, i) => i));
  for (const budget of [3, 3.5, 5, 8]) {
    for (const window of [1, 4, 14]) {
      const ctx = twoImageContext(m, cons, (s) => s.length / m);
      const r = await fastSearch(ctx, { budget, window });
      assert.ok(r.evaluations! <= Math.floor(budget * m), `budget ${budget}, window ${window}: ${r.evaluations} images`);
      assert.deepEqual([...r.order].sort((x, y) => x - y), Array.from({ length: m }, (_, i) => i));
    }
  }
  await assert.rejects(fastSearch(toyContext(m, F), { window: 0 }), /window 0 is not allowed: use an integer ≥ 1/);
  await assert.rejects(fastSearch(toyContext(m, F), { budget: 2 }), /budget 2 is not allowed: use a number ≥ 3/);
  await assert.rejects(fastSearch(toyContext(m, F), { newcomers: -1 }), /newcomers -1 is not allowed: use an integer ≥ 0/);
  await assert.rejects(fastSearch(toyContext(m, F), { flatPool: 0 }), /flatPool 0 is not allowed: use an integer ≥ 1/);
  await assert.rejects(fastSearch(toyContext(m, F), { flat: 2 }), /flat 2 is not allowed: use a number in \[0, 1\]/);
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
