import { createRandom } from "../util/random";
import { throwIfAborted } from "../util/abort";
import { remainingRegions } from "./greedy";
import type { SearchContext, SearchResult, SearchStep } from "./types";
import type { ScoreTerms } from "../score/submodular";

/** Options of {@link fastSearch}; the defaults were chosen by measurement (bench/results/speed.md). */
export interface FastSearchOptions {
  /** Candidates re-evaluated per round: those with the highest stale bound (default 2). */
  readonly pool?: number;
  /** Extra candidates per step drawn at random from the rest, so stale bounds get refreshed (default 1). */
  readonly explore?: number;
  /** Most rounds per step; after the last one the best fresh candidate wins (default 2). */
  readonly rounds?: number;
  /** Seed of the exploration draws (default 0). */
  readonly seed?: number;
  /** Extra candidates per step taken from the regions adjacent to S (highest stale gain first;
   * default 1): a region that completes a chosen part of an object often gains little alone. */
  readonly neighbours?: number;
  /** Coarse blocks evaluated before the search (default 9; 0: none): adjacent regions are merged
   * into this many blocks, F(block) is measured once, and each region's first bound adds its
   * block's gain per region, so regions that only pay together (an object's parts) are tried
   * early. Needs `adjacency` and `evaluateSets` in the context. */
  readonly blocks?: number;
  /** Pool size once half the regions are placed (default 1): the insertion curve is mostly
   * decided by the first half of the order. */
  readonly latePool?: number;
}

/** The defaults of {@link FastSearchOptions}. */
export const FAST_DEFAULTS = Object.freeze({ pool: 2, latePool: 1, explore: 0, rounds: 2, seed: 0, neighbours: 1, blocks: 9 });

/**
 * Splits regions 0..m−1 into about `count` connected blocks: breadth-first growth over the
 * adjacency from the lowest unassigned region, each block up to ⌈m / count⌉ regions.
 */
export function coarseBlocks(adjacency: readonly (readonly number[])[], count: number): number[][] {
  const m = adjacency.length;
  const size = Math.ceil(m / Math.max(1, count));
  const block = new Int32Array(m).fill(-1);
  const blocks: number[][] = [];
  for (let seed = 0; seed < m; seed++) {
    if (block[seed] >= 0) continue;
    const members = [seed];
    block[seed] = blocks.length;
    for (let head = 0; head < members.length && members.length < size; head++) {
      for (const q of adjacency[members[head]]) {
        if (members.length >= size) break;
        if (block[q] < 0) {
          block[q] = blocks.length;
          members.push(q);
        }
      }
    }
    blocks.push(members.sort((a, b) => a - b));
  }
  return blocks;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`fast search ${name} ${value} is not allowed: use an integer ≥ ${min}`);
}

/**
 * Lazy greedy with stale bounds (Minoux's accelerated greedy, capped), a fast approximation of the
 * greedy search (SMDL Algorithm 1, METHOD.md §4) on the same score F.
 *
 * Step 0 evaluates every singleton F({α}) (the same images as the effectiveness features, so
 * nearly free). Each region keeps the marginal gain Δ(α | S') = F(S' ∪ {α}) − F(S') measured at
 * the last S' it was evaluated against. At each step the `pool` regions with the highest stale
 * gain (`latePool` once half the regions are placed), plus the `neighbours` regions adjacent to S
 * with the highest stale gain, plus `explore` seeded random others, are evaluated against S. If the best
 * fresh gain is at least every remaining stale gain it is accepted — exact for a submodular F,
 * where gains only shrink as S grows. Otherwise the next `pool` by stale gain are evaluated, up to
 * `rounds` rounds, and the best fresh gain wins. F here is only approximately submodular (two
 * regions may be needed together, raising a later gain): bench/results/speed.md reports how often
 * a stale bound was exceeded and what that costs in insertion AUC.
 *
 * Ties break by the lowest region index; the draws come from a seeded generator, so runs are
 * deterministic. Every prefix of the order is evaluated, so the curves need no further passes.
 */
export async function fastSearch(ctx: SearchContext, options: FastSearchOptions = {}): Promise<SearchResult> {
  const { pool, latePool, explore, rounds, seed, neighbours, blocks } = { ...FAST_DEFAULTS, ...options };
  checkCount("blocks", blocks, 0);
  checkCount("pool", pool, 1);
  checkCount("latePool", latePool, 1);
  checkCount("neighbours", neighbours, 0);
  checkCount("explore", explore, 0);
  checkCount("rounds", rounds, 1);
  const m = ctx.m;
  const random = createRandom(seed);
  const stale = new Float64Array(m);
  /** Step at which each region's gain was last measured. */
  const measured = new Int32Array(m).fill(-1);
  const chosen: number[] = [];
  const steps: SearchStep[] = [];
  const placed = new Set<number>();
  let refreshed = 0, exceeded = 0;
  const empty = ctx.evaluateEmpty ? (await ctx.evaluateEmpty()).F : 0;
  let current = empty;
  // Coarse level: one F per block of adjacent regions, spread over its regions as a prior gain.
  const prior = new Float64Array(m);
  if (blocks > 0 && ctx.adjacency && ctx.evaluateSets && m > blocks) {
    const groups = coarseBlocks(ctx.adjacency, blocks).filter((g) => g.length > 1);
    const terms = await ctx.evaluateSets(groups);
    groups.forEach((g, i) => {
      for (const r of g) prior[r] = (terms[i].F - empty) / g.length;
    });
  }
  for (let step = 0; step < m; step++) {
    throwIfAborted(ctx.signal);
    const remaining = remainingRegions(m, placed);
    const base = [...chosen].sort((a, b) => a - b);
    const fresh = new Map<number, ScoreTerms>();
    const evaluate = async (regions: number[]) => {
      if (regions.length === 0) return;
      const terms = await ctx.evaluate(base, regions);
      regions.forEach((r, i) => {
        if (measured[r] >= 0 && step > 0) {
          refreshed++;
          if (terms[i].F - current > stale[r] + 1e-9) exceeded++;
        }
        fresh.set(r, terms[i]);
        stale[r] = terms[i].F - current;
        measured[r] = step;
      });
    };
    // Highest stale gain first, ties to the lowest index.
    const byBound = () => remaining.filter((r) => !fresh.has(r)).sort((a, b) => stale[b] - stale[a] || a - b);
    if (step === 0) {
      await evaluate(remaining);
      for (const r of remaining) stale[r] += prior[r];
    }
    else {
      const size = 2 * step <= m ? pool : latePool;
      const first = byBound().slice(0, size);
      if (ctx.adjacency && neighbours > 0) {
        const near = new Set<number>();
        for (const r of chosen) for (const q of ctx.adjacency[r]) if (!placed.has(q) && !first.includes(q)) near.add(q);
        first.push(...[...near].sort((a, b) => stale[b] - stale[a] || a - b).slice(0, neighbours));
      }
      const rest = remaining.filter((r) => !first.includes(r));
      const drawn: number[] = [];
      for (let k = 0; k < explore && rest.length > 0; k++) drawn.push(rest.splice(random.int(rest.length), 1)[0]);
      await evaluate([...first, ...drawn].sort((a, b) => a - b));
      for (let round = 1; round < rounds; round++) {
        const waiting = byBound();
        if (waiting.length === 0 || bestGain(fresh, current) >= stale[waiting[0]]) break;
        await evaluate(waiting.slice(0, size).sort((a, b) => a - b));
      }
    }
    let best = -1;
    // Step 0 ranks by singleton gain plus the coarse prior (equal to plain F without blocks).
    if (step === 0) {
      for (const r of remaining) if (best < 0 || stale[r] > stale[best]) best = r;
    } else {
      for (const [r, t] of fresh) {
        const b = best < 0 ? undefined : fresh.get(best)!;
        if (!b || t.F > b.F || (t.F === b.F && r < best)) best = r;
      }
    }
    const terms = fresh.get(best)!;
    chosen.push(best);
    placed.add(best);
    current = terms.F;
    steps.push({ region: best, direction: "forward", terms });
    ctx.onProgress?.({ iteration: step, placed: chosen.length, total: m, forward: [...chosen], reverse: [] });
  }
  return { order: chosen, steps, forwardLength: chosen.length, staleBounds: { refreshed, exceeded } };
}

function bestGain(fresh: ReadonlyMap<number, ScoreTerms>, current: number): number {
  let best = -Infinity;
  for (const t of fresh.values()) best = Math.max(best, t.F - current);
  return best;
}
