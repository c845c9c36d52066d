import assert from "node:assert/strict";
import { test } from "node:test";
import { Explainer } from "../../src";
import type { ExplainProgress } from "../../src/explain/explainer";
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
 * S-image and `colla` for the complement image. `estimateReverse` holds cons at the base's value and
 * reads colla from the image of what stays, as the explainer's does; `images` counts the distinct
 * images asked for, as the explainer's cache would run them.
 */
function twoImageContext(m: number, cons: (s: readonly number[]) => number, colla: (s: readonly number[]) => number) {
  const score = (s: readonly number[], c = cons(s)): ScoreTerms => ({ cons: c, colla: colla(s), conf: 0, eff: 0, F: 20 * c + 5 * colla(s) });
  const seen = new Set<string>();
  /** An image is the set of regions it shows: a complement image is the S-image of the rest. */
  const image = (kind: "S" | "C", s: readonly number[]) => {
    const shown = kind === "S" ? s : Array.from({ length: m }, (_, i) => i).filter((i) => !s.includes(i));
    const key = [...shown].sort((a, b) => a - b).join(",");
    if (!seen.has(key)) (seen.add(key), ctx.images++);
  };
  const ctx = {
    m,
    images: 0,
    /** New images each `evaluate` call asked for (a model call when > 0). */
    evaluateCalls: [] as number[],
    async evaluate(base: readonly number[], candidates: readonly number[]) {
      const before = ctx.images;
      for (const a of candidates) image("S", [...base, a]), image("C", [...base, a]);
      ctx.evaluateCalls.push(ctx.images - before);
      return candidates.map((a) => score([...base, a]));
    },
    async estimateReverse(base: readonly number[], candidates: readonly number[]) {
      image("S", base);
      for (const a of candidates) image("C", [...base, a]);
      const held = cons(base);
      return candidates.map((a) => score([...base, a], held));
    },
  } satisfies SearchContext & { images: number; evaluateCalls: number[] };
  // The explainer runs the full image, the baseline and every singleton (for s_eff) before any search.
  image("S", Array.from({ length: m }, (_, i) => i)), image("S", []);
  for (let r = 0; r < m; r++) image("S", [r]);
  ctx.images = 0;
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

/** LIMA's reverse step alone, every candidate scored each step (argmin F(S_rev ∪ {α}), ties to the higher index); the order is the removals reversed. */
function reverseGreedy(m: number, F: (s: readonly number[]) => number): number[] {
  const removed: number[] = [];
  while (removed.length < m) {
    let best = -1;
    for (let a = 0; a < m; a++) if (!removed.includes(a) && (best < 0 || F([...removed, a]) <= F([...removed, best]))) best = a;
    removed.push(best);
  }
  return removed.reverse();
}

test("fastSearch(modular F) returns the regions by weight, ties to the lowest index, within its budget", async () => {
  const w = [3, 9, 1, 9, 4, 7, 2, 8, 6, 5, 0.5, 1.5];
  const F = (s: readonly number[]) => s.reduce((a, r) => a + w[r], 0);
  const ctx = toyContext(w.length, F);
  /** How often each subset was scored. */
  const scored = new Map<string, number>();
  const counting: SearchContext = {
    m: ctx.m,
    evaluate: (base, candidates) => {
      for (const a of candidates) {
        const key = [...base, a].sort((x, y) => x - y).join(",");
        scored.set(key, (scored.get(key) ?? 0) + 1);
      }
      return ctx.evaluate(base, candidates);
    },
  };
  // Without estimates every candidate costs two images; a budget of 8·|V| lets every step screen
  // until the lazy test ends it (at the default 7 the last steps get one candidate each).
  const result = await fastSearch(counting, { budget: 8 });
  assert.deepEqual(result.order, [1, 3, 7, 5, 8, 9, 4, 0, 6, 11, 2, 10]);
  // Reverse only: regions leave the full image one by one, each step by its own exact F
  // (F of the regions removed so far: the order's suffix).
  assert.equal(result.forwardLength, 0);
  assert.ok(result.steps.every((s) => s.direction === "reverse"));
  result.steps.forEach((s, i) => assert.equal(s.terms.F, F(result.order.slice(i))));
  assert.deepEqual(result.steps.map((s) => s.region), result.order);
  assert.ok(result.evaluations! <= 8 * 12, `${result.evaluations} images`);
  // Without estimates a screen is exact: a removal keeps its screened score, no subset is scored twice.
  assert.deepEqual([...scored.entries()].filter(([, n]) => n > 1), []);
});

for (const seed of [1, 2, 3]) {
  test(`fastSearch is LIMA's reverse greedy with fewer evaluations: the lazy test is exact for a monotone F (weighted coverage ${seed})`, async () => {
    const m = 16;
    const F = coverage(m, seed);
    const lazy = toyContext(m, F);
    const result = await fastSearch(lazy, { window: m, screen: 1, budget: 4 * m });
    assert.deepEqual(result.order, reverseGreedy(m, F));
    const scored = m * (m + 1) / 2;
    assert.ok(lazy.evaluated - m < scored, `${lazy.evaluated - m} candidates scored against ${scored} for the plain reverse greedy`);
  });
}

test("fastSearch screens candidates by the kept image (one image each), then measures the pick's removed-set image", async () => {
  const m = 10;
  // The kept image decides: what stays holds the class in proportion to its weights.
  const w = [0.05, 0.3, 0.1, 0.02, 0.2, 0.04, 0.06, 0.08, 0.03, 0.12];
  const total = w.reduce((a, b) => a + b, 0);
  const held = (s: readonly number[]) => s.reduce((a, r) => a + w[r], 0) / total;
  const cons = (s: readonly number[]) => held(s) ** 2;
  const colla = (s: readonly number[]) => held(s);
  const ctx = twoImageContext(m, cons, colla);
  const result = await fastSearch(ctx);
  assert.deepEqual(result.order, [1, 4, 9, 2, 7, 6, 0, 5, 8, 3]);
  result.steps.forEach((s, i) => {
    const set = result.order.slice(i);
    assert.ok(Math.abs(s.terms.F - (20 * cons(set) + 5 * colla(set))) < 1e-12, "every step's F is exact");
  });
  // The count is the images the search asked for that the explainer had not run already.
  assert.equal(result.evaluations, ctx.images);
  // Each removal is scored exactly from images already run: its removed-set image came with the
  // next step's screen, so a step costs one model call, not two.
  assert.deepEqual(ctx.evaluateCalls, Array(m).fill(0));
  // Step 0's m kept images, about one screen and one removed-set image per step: far fewer than a plain greedy's 2·Σ(m − i).
  assert.ok(ctx.images < m * (m + 1) / 2, `${ctx.images} images`);
});

test("fastSearch keeps an object that only counts whole: its regions come first, where a forward search sees nothing", async () => {
  const m = 12;
  // The S-image reads 0.9 only with regions 7 and 9 both in it (an object seen only whole); the
  // image of what stays keeps the class as long as 7 and 9 stay (colla = 1 − p(kept)).
  const object = (s: readonly number[]) => s.includes(7) && s.includes(9);
  const cons = (s: readonly number[]) => (object(s) ? 0.9 : 0);
  const rest = (s: readonly number[]) => Array.from({ length: m }, (_, i) => i).filter((i) => !s.includes(i));
  const colla = (s: readonly number[]) => 1 - (object(rest(s)) ? 0.9 - 0.01 * rest(s).length : 0);
  const result = await fastSearch(twoImageContext(m, cons, colla));
  assert.deepEqual(result.order.slice(0, 2), [7, 9]);
});

test("fastSearch is deterministic, never requests more images than its budget, and bad options are RangeErrors naming the value", async () => {
  const m = 14;
  const F = coverage(m, 5);
  const a = await fastSearch(toyContext(m, F), { window: 5 });
  const b = await fastSearch(toyContext(m, F), { window: 5 });
  assert.deepEqual(a.order, b.order);
  assert.deepEqual(a.steps.map((s) => s.terms.F), b.steps.map((s) => s.terms.F));
  assert.deepEqual([...a.order].sort((x, y) => x - y), Array.from({ length: m }, (_, i) => i));
  const full = F(Array.from({ length: m }, (_, i) => i));
  const cons = (s: readonly number[]) => F(s) / full;
  for (const budget of [3, 3.5, 5, 8]) {
    for (const window of [1, 4, 14]) {
      for (const estimates of [true, false]) {
        const ctx = twoImageContext(m, cons, (s) => s.length / m);
        const r = await fastSearch(estimates ? ctx : { m, evaluate: ctx.evaluate }, { budget, window, screen: 2 });
        assert.ok(r.evaluations! <= Math.floor(budget * m), `budget ${budget}, window ${window}: ${r.evaluations} images`);
        assert.equal(r.evaluations, ctx.images, "the count is the new images asked for");
        assert.deepEqual([...r.order].sort((x, y) => x - y), Array.from({ length: m }, (_, i) => i));
      }
    }
  }
  await assert.rejects(fastSearch(toyContext(m, F), { window: 0 }), /window 0 is not allowed: use an integer ≥ 1/);
  await assert.rejects(fastSearch(toyContext(m, F), { screen: 1.5 }), /screen 1.5 is not allowed: use an integer ≥ 1/);
  await assert.rejects(fastSearch(toyContext(m, F), { budget: 2 }), /budget 2 is not allowed: use a number ≥ 3/);
  await assert.rejects(fastSearch(toyContext(m, F), { flat: 0.005 } as never), /option "flat" is not allowed: use budget, screen, window/);
});

test("Explainer({ search: \"fast\" }) puts the square's regions first and counts fewer passes than greedy", async () => {
  const image = { width: SQUARE_SIDE, height: SQUARE_SIDE, data: new Float32Array(SQUARE_SIDE * SQUARE_SIDE * 3).fill(255) };
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE });
  const division = { method: "grid", regions: 9 } as const;
  const progress: ExplainProgress[] = [];
  const fast = await new Explainer(model, { search: "fast", division }).explain(image, { target: 0, onProgress: (p) => progress.push(p) });
  // grid 3×3 of 8-pixel cells: the square [8,16)² is exactly the centre cell 4.
  assert.equal(fast.order[0], 4);
  assert.ok(Math.abs(fast.insertion.y[1] - 1) < 1e-6);
  // Progress shows the order's end as it is found, with the insertion curve's right end over it.
  const tails = progress.filter((p) => p.partial).map((p) => p.partial!.tail);
  assert.deepEqual(tails.map((t) => t.order.length), Array.from({ length: 9 }, (_, i) => i + 1));
  const last = tails[tails.length - 1];
  assert.deepEqual(last.order, fast.order);
  last.insertion.x.forEach((x, i) => assert.ok(Math.abs(x - fast.insertion.x[i]) < 1e-9, `x ${i}`));
  assert.deepEqual(last.insertion.y, fast.insertion.y);
  assert.deepEqual(tails[2].insertion.y, fast.insertion.y.slice(-4));
  const greedy = await new Explainer(fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE }), { search: "greedy", division }).explain(image, { target: 0 });
  assert.ok(fast.forwardPasses < greedy.forwardPasses, `${fast.forwardPasses} < ${greedy.forwardPasses}`);
  assert.equal(fast.forwardPasses, model.forwardPasses);
});
