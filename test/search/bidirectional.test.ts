import assert from "node:assert/strict";
import test from "node:test";
import { expectedIterations } from "../../src/explain/explainer";
import type { ScoreTerms } from "../../src/score/submodular";
import { bidirectionalSearch } from "../../src/search/bidirectional";
import type { SearchContext } from "../../src/search/types";

/** A 4-region toy with F(S) = Σ w_i, plus `bonus` when S holds both 0 and 3. */
function toy(w: readonly number[], bonus = 0): SearchContext & { calls: { base: number[]; candidates: number[] }[]; iterations: number } {
  const F = (s: readonly number[]) => s.reduce((a, r) => a + w[r], 0) + (s.includes(0) && s.includes(3) ? bonus : 0);
  const ctx = {
    m: w.length,
    calls: [] as { base: number[]; candidates: number[] }[],
    iterations: 0,
    onProgress: () => void ctx.iterations++,
    evaluate: async (base: readonly number[], candidates: readonly number[]): Promise<ScoreTerms[]> => {
      ctx.calls.push({ base: [...base], candidates: [...candidates] });
      return candidates.map((a) => ({ cons: 0, colla: 0, conf: 0, eff: 0, F: F([...base, a]) }));
    },
  };
  return ctx;
}

test("one bidirectional step on a 4-region toy, by hand (n_p = 2)", async () => {
  // w = (4, 1, 3, 2). Iteration 0: 4 candidates > n_p → forward takes argmax F({α}) = 0; the n_p = 2
  // lowest others are 1 (F 1) and 3 (F 2); reverse takes argmin F(∅ ∪ {α}) = 1.
  // Iteration 1: candidates {2, 3}, 2 > 2 is false → forward only: F({0,2}) = 7 > F({0,3}) = 6 → 2.
  // Iteration 2: 3. Order: S_fwd (0, 2, 3) then S_rev reversed (1).
  const ctx = toy([4, 1, 3, 2]);
  const r = await bidirectionalSearch(ctx, { np: 2 });
  assert.deepEqual(r.order, [0, 2, 3, 1]);
  assert.deepEqual(r.steps.map((s) => s.direction), ["forward", "forward", "forward", "reverse"]);
  assert.equal(r.forwardLength, 3);
  assert.deepEqual(ctx.calls, [
    { base: [], candidates: [0, 1, 2, 3] },
    { base: [], candidates: [1, 3] },
    { base: [0], candidates: [2, 3] },
    { base: [0, 2], candidates: [3] },
  ]);
  assert.equal(ctx.iterations, 3);
  assert.equal(expectedIterations(4, "bidirectional", 2), 3);
});

test("the reverse step runs while MORE than n_p candidates remain, counted before the forward pick (METHOD.md §4)", async () => {
  // w = (4, 1, 3, 0.5) and +2 when 0 and 3 are together; n_p = 3 with 4 candidates.
  // Stop rule of the authors' code (4 > 3): iteration 0 also takes a reverse pick among {1, 2, 3}:
  // argmin F({α}) = 3 (0.5) → order (0, 2, 1 | 3).
  // Counting after the forward pick instead (3 > 3 is false) would never reverse and give plain
  // greedy's (0, 2, 3, 1), since 3 joins 0 for the bonus.
  const ctx = toy([4, 1, 3, 0.5], 2);
  const r = await bidirectionalSearch(ctx, { np: 3 });
  assert.deepEqual(r.order, [0, 2, 1, 3]);
  assert.deepEqual(ctx.calls[1], { base: [], candidates: [1, 2, 3] }, "the reverse step re-scores the n_p = 3 others");
  assert.equal(ctx.iterations, 3);
  assert.equal(expectedIterations(4, "bidirectional", 3), 3);
  // With n_p = |V| no reverse pick is ever taken: plain greedy.
  const greedy = await bidirectionalSearch(toy([4, 1, 3, 0.5], 2), { np: 4 });
  assert.deepEqual(greedy.order, [0, 2, 3, 1]);
  assert.equal(expectedIterations(4, "bidirectional", 4), 4);
});
