import { throwIfAborted } from "../util/abort";
import type { SearchContext, SearchResult, SearchStep } from "./types";
import type { ScoreTerms } from "../score/submodular";

/** Options of {@link fastSearch}; the defaults were chosen by measurement (bench/results/speed.md, round 4). */
export interface FastSearchOptions {
  /** Model images the search may request in all, as a multiple of |V| (default 7: about a
   * quarter of the bidirectional search's passes at |V| = 49: 0.248 on the 44 shared photos). Not counted:
   * step 0's singleton S-images, which the effectiveness term runs anyway. At least 3: every placed region needs its
   * S-image and its complement image, and one window per step needs at least one more. Windows keep
   * their size while the budget lasts (keeping two images for each region still to place). */
  readonly budget?: number;
  /** Candidates whose S-image is measured per step while the curve rises (default 8): regions
   * adjacent to S first (those of the last pick first), then `newcomers`. */
  readonly window?: number;
  /** Window places for regions not adjacent to S, highest last-measured score first (default 1). */
  readonly newcomers?: number;
  /** Candidates scored exactly (S-image and complement image) per step while the curve is flat (default 3):
   * the best neighbour of S, the best region not measured since step 0, the previous flat pool's best. */
  readonly flatPool?: number;
  /** s_cons below which the curve counts as flat (default 0.005): then the S-images of the candidates
   * differ by less than this and say nothing, and the complement images decide (LIMA's s_colla). At
   * step 0 the singletons' s_cons spread is compared with it. */
  readonly flat?: number;
}

/** The defaults of {@link FastSearchOptions}. */
export const FAST_DEFAULTS = Object.freeze({ budget: 7, window: 8, newcomers: 1, flatPool: 3, flat: 0.005 });

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`fast search ${name} ${value} is not allowed: use an integer ≥ ${min}`);
}

function checkOptions(o: Required<FastSearchOptions>): void {
  if (typeof o.budget !== "number" || !Number.isFinite(o.budget) || o.budget < 3) throw new RangeError(`fast search budget ${o.budget} is not allowed: use a number ≥ 3 (model images per region)`);
  checkCount("window", o.window, 1);
  checkCount("newcomers", o.newcomers, 0);
  checkCount("flatPool", o.flatPool, 1);
  if (typeof o.flat !== "number" || !(o.flat >= 0 && o.flat <= 1)) throw new RangeError(`fast search flat ${o.flat} is not allowed: use a number in [0, 1] (an s_cons level)`);
}

const ascending = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);

/** Index of the highest F, ties to the lowest region index (regions are in ascending order). */
function argmaxF(terms: readonly ScoreTerms[]): number {
  let best = 0;
  for (let i = 1; i < terms.length; i++) if (terms[i].F > terms[best].F) best = i;
  return best;
}

/** The spread of s_cons over some candidates' S-images. */
function consSpread(terms: readonly ScoreTerms[]): number {
  let lo = Infinity, hi = -Infinity;
  for (const t of terms) (lo = Math.min(lo, t.cons)), (hi = Math.max(hi, t.cons));
  return hi - lo;
}

/**
 * A budgeted screened forward greedy: a fast approximation of the greedy searches (METHOD.md §4)
 * on the same score F, measured against LIMA Algorithm 1's bidirectional search.
 *
 * LIMA's F is dominated by λ_cons·s_cons (20 against 5 for s_colla), the target score of the
 * S-image; the complement image adds λ_colla·s_colla. Each step therefore *screens* a window of
 * candidates by their S-image alone — F(S ∪ {α}) with s_colla held at F(S)'s value, one image per
 * candidate instead of two (`SearchContext.estimate`) — adds the best, and then measures that one
 * region's complement image, so every step's F is exact and every prefix of the order is evaluated
 * (the curves need no further passes). The window holds regions adjacent to S (the last pick's
 * neighbours first: a region that completes a chosen part of an object) and `newcomers` others,
 * each group by its last measured score, then by step 0's singleton score.
 *
 * While the curve is flat — s_cons(S) below `flat`, where the candidates' S-images differ by less
 * than that and say nothing — the complement images decide (LIMA's s_colla: removing α from the
 * rest of the image): a small pool is scored exactly instead. Step 0 screens every singleton (their
 * S-images are the effectiveness term's images, already run) and scores them exactly when their
 * s_cons spread is below `flat`.
 *
 * The search is forward only: it places every region at S's end (no reverse set), so
 * `forwardLength` is |V|. Windows shrink to one candidate once the budget only leaves two images for
 * each region still to place. Deterministic: no randomness, ties to the lowest region index.
 */
export async function fastSearch(ctx: SearchContext, options: FastSearchOptions = {}): Promise<SearchResult> {
  const o = { ...FAST_DEFAULTS, ...options };
  checkOptions(o);
  const m = ctx.m;
  const all = Array.from({ length: m }, (_, i) => i);
  let used = 0;
  const limit = Math.floor(o.budget * m);
  /** The last score measured after step 0 for each region (F or its S-image estimate), −∞ before any. */
  const last = new Float64Array(m).fill(-Infinity);
  const placed = new Uint8Array(m);
  const chosen: number[] = [];
  const steps: SearchStep[] = [];
  /** S-image estimates when the context gives them (1 image each), otherwise exact F (2 images each). */
  const screen = async (base: readonly number[], regions: readonly number[]): Promise<ScoreTerms[]> => {
    if (ctx.estimate) {
      used += regions.length;
      return ctx.estimate(base, regions);
    }
    used += 2 * regions.length;
    return ctx.evaluate(base, regions);
  };
  /** Exact F; `images` per region: 1 when its S-image was just screened (only the complement image is new). */
  const exact = async (base: readonly number[], regions: readonly number[], images = 2): Promise<ScoreTerms[]> => {
    used += images * regions.length;
    return ctx.evaluate(base, regions);
  };
  const place = (region: number, terms: ScoreTerms) => {
    chosen.push(region);
    placed[region] = 1;
    steps.push({ region, direction: "forward", terms });
  };

  // Step 0: every singleton by its S-image (free: the effectiveness term's images); exactly when flat.
  throwIfAborted(ctx.signal);
  // The singleton S-images are not counted (`exact` with one image each: only the complement images are).
  let first = ctx.estimate ? await ctx.estimate([], all) : await exact([], all, 1);
  let firstExact = !ctx.estimate;
  if (!firstExact && consSpread(first) < o.flat) (first = await exact([], all, 1)), (firstExact = true);
  /** Step 0's ranking by singleton F: the order of regions not measured since. */
  const rank = new Int32Array(m);
  [...all].sort((a, b) => first[b].F - first[a].F || a - b).forEach((r, i) => (rank[r] = i));
  const pick0 = argmaxF(first);
  let current = firstExact ? first[pick0] : (await exact([], [pick0], 1))[0];
  place(pick0, current);
  ctx.onProgress?.({ iteration: 0, placed: 1, total: m, forward: [...chosen], reverse: [] });
  let flatSurvivors: number[] = [];

  /** A flat step: a small pool scored exactly (both images), since the S-images say nothing. */
  const flatStep = async (base: readonly number[], left: readonly number[], front: readonly number[], size: number, byLast: (a: number, b: number) => number) => {
    const pool: number[] = [];
    const add = (r: number | undefined) => r !== undefined && !pool.includes(r) && pool.length < size && pool.push(r);
    add(front[0]);
    const byRank = [...left].sort((a, b) => rank[a] - rank[b]);
    add(byRank.find((r) => last[r] === -Infinity));
    for (const r of flatSurvivors) if (!placed[r]) add(r);
    for (const r of byRank) add(r);
    const regions = ascending(pool);
    const scored = await exact(base, regions);
    scored.forEach((t, i) => (last[regions[i]] = t.F));
    const best = argmaxF(scored);
    flatSurvivors = regions.filter((r) => r !== regions[best]).sort(byLast);
    return { region: regions[best], terms: scored[best] };
  };

  /** A rising step: the window screened by S-images, the best measured exactly (its complement image). */
  const screenStep = async (base: readonly number[], windowed: readonly number[], room: number) => {
    if (windowed.length === 1) return { region: windowed[0], terms: (await exact(base, windowed))[0] };
    const regions = ascending(windowed);
    const scored = await screen(base, regions);
    scored.forEach((t, i) => (last[regions[i]] = t.F));
    if (!ctx.estimate) {
      const best = argmaxF(scored);
      return { region: regions[best], terms: scored[best] };
    }
    if (consSpread(scored) >= o.flat) {
      const region = regions[argmaxF(scored)];
      return { region, terms: (await exact(base, [region], 1))[0] };
    }
    // S-images that differ by less than `flat` say nothing: the complement images decide, for as
    // many of the window (in window order) as the budget allows.
    const among = ascending(windowed.slice(0, Math.max(1, room - regions.length)));
    const rescored = await exact(base, among, 1);
    rescored.forEach((t, i) => (last[among[i]] = t.F));
    const best = argmaxF(rescored);
    return { region: among[best], terms: rescored[best] };
  };

  for (let step = 1; chosen.length < m; step++) {
    throwIfAborted(ctx.signal);
    const base = ascending(chosen);
    const left = all.filter((r) => !placed[r]);
    /** Images this step may use: the budget left after two for each region placed later. */
    const room = limit - used - 2 * (left.length - 1);
    /** Last measured score first (measured before unmeasured), then step 0's rank. */
    const byLast = (a: number, b: number) => (last[a] === last[b] ? rank[a] - rank[b] : last[b] > last[a] ? 1 : -1);
    const nearLast = new Set(ctx.adjacency?.[chosen[chosen.length - 1]] ?? []);
    const near = new Set(chosen.flatMap((c) => ctx.adjacency?.[c] ?? []));
    const front = left.filter((r) => near.has(r)).sort((a, b) => Number(nearLast.has(b)) - Number(nearLast.has(a)) || byLast(a, b));
    const others = left.filter((r) => !near.has(r)).sort(byLast);
    const isFlat = current.cons < o.flat;
    // A flat pool costs two images per candidate; a screen one (the pick's complement image one more),
    // or two without estimates.
    const affordable = isFlat || !ctx.estimate ? Math.floor(room / 2) : room - 1;
    const size = Math.max(1, Math.min(left.length, isFlat ? o.flatPool : o.window, affordable));
    let picked: { region: number; terms: ScoreTerms };
    if (size > 1 && isFlat) {
      picked = await flatStep(base, left, front, size, byLast);
    } else {
      const windowed = [...front.slice(0, Math.max(0, size - o.newcomers)), ...others.slice(0, Math.min(o.newcomers, size))].slice(0, size);
      for (const r of [...front, ...others]) if (windowed.length < size && !windowed.includes(r)) windowed.push(r);
      picked = await screenStep(base, windowed, room);
    }
    current = picked.terms;
    place(picked.region, picked.terms);
    ctx.onProgress?.({ iteration: step, placed: chosen.length, total: m, forward: [...chosen], reverse: [] });
  }
  return { order: chosen, steps, forwardLength: m, evaluations: used };
}
