import { throwIfAborted } from "../util/abort";
import type { SearchContext, SearchResult, SearchStep } from "./types";
import type { ScoreTerms } from "../score/submodular";

/** How the static candidate order (the proxy) is seeded at step 0. */
export type FastProxy = "both" | "singleton" | "deletion";

/** Whose neighbours fill the pool's neighbour places: the last pick's only, or every pick's, most recent first. */
export type FastAdjacency = "last" | "all";

/** How a step is decided once the budget leaves one evaluation per step. */
export type FastTail = "stale" | "proxy";

/** Options of {@link fastSearch}; the defaults were chosen by measurement (bench/results/speed.md). */
export interface FastSearchOptions {
  /** Subset evaluations F(S ∪ {α}) the search may request in all, as a multiple of |V| (default 4:
   * about a quarter of the bidirectional search's passes at |V| = 49; at least 2: step 0 needs |V|,
   * every later region one). Pools keep their size while the budget lasts (keeping one evaluation
   * for each region still to place), one candidate per pick after it. */
  readonly budget?: number;
  /** Candidates re-measured per step while the budget allows at the forward end (default 2). */
  readonly pool?: number;
  /** Places in the pool for regions adjacent to S, best proxy rank first (default 1; measured: without it the
   * region insertion AUC drops by a fifth):
   * a region that completes a chosen part of an object often gains little alone. Needs `adjacency`. */
  readonly neighbours?: number;
  /** Places in the pool for regions not measured since step 0, taken in proxy order (default 1);
   * the other places go to the best regions of the previous step's pool. */
  readonly newcomers?: number;
  /** Extra rounds that re-measure the regions with the highest stale gain when one of them beats
   * the best fresh gain (default 0; lazy greedy's confirmation, exact for a submodular F given
   * the budget), each round as big as the pool. */
  readonly rounds?: number;
  /** Proxy order of the regions (default "both"): "singleton" ranks by F({α}) − F(∅) (noise when one
   * region alone moves nothing), "deletion" by the leave-one-out loss F(V) − F(V∖{α}) (free: those
   * images are the singletons' complements; needs `evaluateSets`), "both" interleaves the two rankings. */
  readonly proxy?: FastProxy;
  /** Candidates re-measured per step at the other end (default 4; 0: forward only): each step then
   * also adds argmin F(S_rev ∪ {α}) over this many of the least promising regions to a reverse set
   * that ends the order, least important last (LIMA Algorithm 1's two ends, with a small pool). */
  readonly reversePool?: number;
  /** The reverse end stops once this many regions are left (default 8, like n_p). */
  readonly meet?: number;
  /** Whose neighbours fill the neighbour places (default "all": the last pick's first, then the earlier picks'). */
  readonly adjacentScope?: FastAdjacency;
  /** Choice once the budget leaves one candidate per pick (default "stale"): the highest last
   * measured gain (lazy greedy), or the first region in proxy order. */
  readonly tail?: FastTail;
}

/** The defaults of {@link FastSearchOptions}. */
export const FAST_DEFAULTS = Object.freeze({
  budget: 4, pool: 2, neighbours: 1, newcomers: 1, rounds: 0, proxy: "both" as FastProxy, tail: "stale" as FastTail,
  reversePool: 4, meet: 8, adjacentScope: "all" as FastAdjacency,
});

const PROXIES: readonly FastProxy[] = ["both", "singleton", "deletion"];

const TAILS: readonly FastTail[] = ["stale", "proxy"];
const SCOPES: readonly FastAdjacency[] = ["last", "all"];

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`fast search ${name} ${value} is not allowed: use an integer ≥ ${min}`);
}

/** Regions sorted by a value, highest first; ties to the lowest index. */
function byValue(regions: readonly number[], value: ArrayLike<number>): number[] {
  return [...regions].sort((a, b) => value[b] - value[a] || a - b);
}

/** Interleaves rankings (first of each, then second of each, …), each region once. */
function interleave(rankings: readonly (readonly number[])[]): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  const n = Math.max(0, ...rankings.map((r) => r.length));
  for (let i = 0; i < n; i++) for (const r of rankings) if (i < r.length && !seen.has(r[i])) (seen.add(r[i]), out.push(r[i]));
  return out;
}

/**
 * A budgeted two-ended pool greedy: a fast approximation of the bidirectional search (LIMA
 * Algorithm 1, METHOD.md §4) on the same score F, built on lazy greedy's stale gains (Minoux's
 * accelerated greedy).
 *
 * Step 0 evaluates every singleton F({α}) (the same S-images as the effectiveness features) and
 * picks the best. Those evaluations also give every leave-one-out score F(V∖{α}) for free (its
 * S-image is the singleton's complement image and vice versa); the rankings by singleton gain and
 * by leave-one-out loss are interleaved into a static proxy order: the leave-one-out loss sees a
 * region that matters only together with others (an object's parts), which a singleton gain cannot.
 * Each later step re-measures a small pool against the current S_fwd — regions adjacent to S_fwd,
 * the best of the previous pool, and the next newcomer in proxy order — and adds the one with the
 * highest fresh F to S_fwd; then, while more than `meet` regions are left, it re-measures a small
 * pool at the other end — the least promising regions (lowest forward gain) and the previous
 * reverse pool's best — and adds argmin F(S_rev ∪ {α}) to S_rev. The order is S_fwd followed by
 * S_rev reversed. Pools shrink to one candidate once the budget is spent (one evaluation is kept
 * for each region still to place, so the budget is never exceeded); a lone forward candidate is the
 * region with the highest stale gain (or the next in proxy order). With `rounds` > 0 a stale gain
 * above the best fresh one triggers a round of re-measurement: forward-only (`reversePool` 0), with
 * budget and rounds to spare, the search is lazy greedy and exact for a submodular F.
 *
 * Ties break by the lowest region index; there is no randomness, so runs are deterministic. Every
 * prefix of the order is evaluated, so the curves need no further passes.
 */
export async function fastSearch(ctx: SearchContext, options: FastSearchOptions = {}): Promise<SearchResult> {
  const { budget, pool, neighbours, newcomers, rounds, proxy, tail, reversePool, meet, adjacentScope } = { ...FAST_DEFAULTS, ...options };
  checkCount("reversePool", reversePool, 0);
  checkCount("meet", meet, 0);
  if (typeof budget !== "number" || !Number.isFinite(budget) || budget < 2) throw new RangeError(`fast search budget ${budget} is not allowed: use a number ≥ 2 (evaluations per region)`);
  checkCount("pool", pool, 1);
  checkCount("neighbours", neighbours, 0);
  checkCount("newcomers", newcomers, 0);
  checkCount("rounds", rounds, 0);
  if (!PROXIES.includes(proxy)) throw new RangeError(`fast search proxy ${JSON.stringify(proxy)} is not allowed: use one of ${PROXIES.join(", ")}`);
  if (!SCOPES.includes(adjacentScope)) throw new RangeError(`fast search adjacentScope ${JSON.stringify(adjacentScope)} is not allowed: use one of ${SCOPES.join(", ")}`);
  if (!TAILS.includes(tail)) throw new RangeError(`fast search tail ${JSON.stringify(tail)} is not allowed: use one of ${TAILS.join(", ")}`);
  const m = ctx.m;
  let used = 0;
  const stale = new Float64Array(m);
  const lastF = new Float64Array(m);
  const measured = new Int32Array(m).fill(-1);
  const chosen: number[] = [];
  const steps: SearchStep[] = [];
  const placed = new Uint8Array(m);
  let refreshed = 0, exceeded = 0;
  const empty = ctx.evaluateEmpty ? (await ctx.evaluateEmpty()).F : 0;
  let current = empty;
  const all = Array.from({ length: m }, (_, i) => i);
  let order: number[] = [];
  /** Position of each region in the proxy order. */
  const rank = new Int32Array(m);
  /** Next newcomer position in `order`. */
  let cursor = 0;
  /** The previous pool's regions, best fresh F first. */
  let survivors: number[] = [];
  const limit = Math.max(2 * m - 1, Math.floor(budget * m));
  const reverse: number[] = [];
  const reverseSteps: SearchStep[] = [];
  const staleRev = new Float64Array(m);
  /** Regions measured at the reverse end at least once. */
  const triedRev = new Uint8Array(m);
  let currentRev = empty;
  let survivorsRev: number[] = [];
  let placedCount = 0;
  for (let step = 0; placedCount < m; step++) {
    throwIfAborted(ctx.signal);
    const base = [...chosen].sort((a, b) => a - b);
    const fresh = new Map<number, ScoreTerms>();
    const evaluate = async (regions: readonly number[]) => {
      if (regions.length === 0) return;
      const sortedRegions = [...regions].sort((a, b) => a - b);
      used += sortedRegions.length;
      const terms = await ctx.evaluate(base, sortedRegions);
      sortedRegions.forEach((r, i) => {
        if (measured[r] >= 0) {
          refreshed++;
          if (terms[i].F - current > stale[r] + 1e-9) exceeded++;
        }
        fresh.set(r, terms[i]);
        stale[r] = terms[i].F - current;
        lastF[r] = terms[i].F;
        measured[r] = step;
      });
    };
    const remaining = all.filter((r) => !placed[r]);
    /** Evaluations this pick may use: the budget left after one for each region placed later. */
    const room = () => limit - used - (m - placedCount - 1);
    if (step === 0) {
      await evaluate(remaining);
      const singleton = byValue(all, stale);
      let deletion: number[] = [];
      if (proxy !== "singleton" && ctx.evaluateSets && m > 1) {
        const full = (await ctx.evaluateSets([all]))[0].F;
        const loo = await ctx.evaluateSets(all.map((r) => all.filter((q) => q !== r)));
        deletion = byValue(all, loo.map((t) => full - t.F));
      }
      order = proxy === "singleton" || deletion.length === 0 ? singleton : proxy === "deletion" ? deletion : interleave([singleton, deletion]);
      order.forEach((r, i) => (rank[r] = i));
    } else {
      const size = Math.max(1, Math.min(pool, remaining.length, room()));
      const picked = new Set<number>();
      const take = (r: number) => !placed[r] && !picked.has(r) && picked.size < size && picked.add(r);
      if (size === 1) {
        take(tail === "proxy" ? order.find((r) => !placed[r])! : byValue(remaining, stale)[0]);
      } else {
        // Regions adjacent to S: those of the last pick first, then of earlier picks, best proxy rank first.
        const near: number[] = [];
        if (ctx.adjacency) {
          for (let i = chosen.length - 1; i >= 0 && near.length < neighbours; i--) {
            if (i < chosen.length - 1 && adjacentScope === "last") break;
            near.push(...ctx.adjacency[chosen[i]].filter((q) => !placed[q] && !near.includes(q)).sort((a, b) => rank[a] - rank[b]));
          }
        }
        for (const q of near.slice(0, neighbours)) take(q);
        const keep = size - Math.min(newcomers, size - picked.size);
        for (const r of survivors) if (picked.size < keep) take(r);
        while (picked.size < size && cursor < order.length) take(order[cursor++]);
        for (const r of survivors) take(r);
        for (const r of byValue(remaining, stale)) take(r);
      }
      await evaluate([...picked]);
      for (let round = 0; round < rounds; round++) {
        const waiting = byValue(remaining.filter((r) => !fresh.has(r)), stale);
        if (waiting.length === 0 || room() <= 0 || bestGain(fresh, current) >= stale[waiting[0]]) break;
        await evaluate(waiting.slice(0, Math.min(size, room())));
      }
    }
    let best = -1;
    for (const [r, t] of fresh) {
      const b = best < 0 ? undefined : fresh.get(best)!;
      if (!b || t.F > b.F || (t.F === b.F && r < best)) best = r;
    }
    const terms = fresh.get(best)!;
    chosen.push(best);
    placed[best] = 1;
    placedCount++;
    current = terms.F;
    if (step > 0) survivors = [...fresh.keys(), ...survivors].filter((r, i, xs) => !placed[r] && xs.indexOf(r) === i).sort((a, b) => lastF[b] - lastF[a] || a - b);
    steps.push({ region: best, direction: "forward", terms });
    // The other end (LIMA Algorithm 1's reverse set): argmin F(S_rev ∪ {α}) over a small pool of the
    // least promising regions, while more than `meet` regions are left.
    if (reversePool > 0 && m - placedCount > meet) {
      const left = all.filter((r) => !placed[r]);
      const size = Math.max(1, Math.min(reversePool, left.length, room()));
      const picked = new Set<number>();
      const take = (r: number) => !placed[r] && !picked.has(r) && picked.size < size && picked.add(r);
      for (const r of survivorsRev) if (picked.size < size - Math.min(1, size - 1)) take(r);
      // Newcomers: the lowest forward stale gain among regions not yet tried at this end, then the end of the proxy order.
      for (const r of [...left].filter((q) => !triedRev[q]).sort((a, b) => stale[a] - stale[b] || rank[b] - rank[a] || a - b)) take(r);
      for (const r of survivorsRev) take(r);
      const sortedRegions = [...picked].sort((a, b) => a - b);
      used += sortedRegions.length;
      const baseRev = [...reverse].sort((a, b) => a - b);
      const revTerms = await ctx.evaluate(baseRev, sortedRegions);
      let worst = 0;
      revTerms.forEach((t, i) => {
        staleRev[sortedRegions[i]] = t.F - currentRev;
        triedRev[sortedRegions[i]] = 1;
        if (t.F < revTerms[worst].F) worst = i;
      });
      const region = sortedRegions[worst];
      reverse.push(region);
      placed[region] = 1;
      placedCount++;
      currentRev = revTerms[worst].F;
      reverseSteps.push({ region, direction: "reverse", terms: revTerms[worst] });
      survivorsRev = [...sortedRegions, ...survivorsRev].filter((r, i, xs) => !placed[r] && xs.indexOf(r) === i).sort((a, b) => staleRev[a] - staleRev[b] || a - b);
      survivors = survivors.filter((r) => !placed[r]);
    }
    ctx.onProgress?.({ iteration: step, placed: placedCount, total: m, forward: [...chosen], reverse: [...reverse] });
  }
  return {
    order: [...chosen, ...[...reverse].reverse()],
    steps: [...steps, ...[...reverseSteps].reverse()],
    forwardLength: chosen.length,
    staleBounds: { refreshed, exceeded },
    evaluations: used,
  };
}

function bestGain(fresh: ReadonlyMap<number, ScoreTerms>, current: number): number {
  let best = -Infinity;
  for (const t of fresh.values()) best = Math.max(best, t.F - current);
  return best;
}
