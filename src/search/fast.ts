import { throwIfAborted } from "../util/abort";
import type { SearchContext, SearchResult, SearchStep } from "./types";
import type { ScoreTerms } from "../score/submodular";

/** Options of {@link fastSearch}; the defaults were chosen by measurement (bench/results/speed.md, round 5). */
export interface FastSearchOptions {
  /** Model images the search may request in all, as a multiple of |V| (default 7; on the 44 shared
   * photos at |V| = 49 it used 0.22 of the bidirectional search's passes, because the lazy test
   * usually ends a step before its window is used up). Not counted: the images the explainer runs
   * before any search (the full image, the baseline and, while λ_eff > 0, every singleton; with
   * λ_eff = 0 up to three singleton images, which the search takes as free, run besides). At least
   * 3: step 0 needs one image per region, and every later step at least two (one candidate's kept
   * image and the pick's removed-set image). */
  readonly budget?: number;
  /** Candidates screened at once (default 4), lowest last-measured F first. */
  readonly screen?: number;
  /** The most candidates screened in one step (default 6); fewer once the budget only leaves two
   * images for each region still to place. */
  readonly window?: number;
}

/** The defaults of {@link FastSearchOptions}. */
export const FAST_DEFAULTS = Object.freeze({ budget: 7, screen: 4, window: 6 });

function checkOptions(options: FastSearchOptions): Required<FastSearchOptions> {
  for (const key of Object.keys(options)) {
    if (!(key in FAST_DEFAULTS)) throw new RangeError(`fast search option "${key}" is not allowed: use ${Object.keys(FAST_DEFAULTS).join(", ")}`);
  }
  const o = { ...FAST_DEFAULTS, ...options };
  if (typeof o.budget !== "number" || !Number.isFinite(o.budget) || o.budget < 3) throw new RangeError(`fast search budget ${o.budget} is not allowed: use a number ≥ 3 (model images per region)`);
  for (const name of ["screen", "window"] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) throw new RangeError(`fast search ${name} ${o[name]} is not allowed: use an integer ≥ 1`);
  }
  return o;
}

const ascending = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);

/** Whether candidate a (score Fa) is removed before b: lower F first, ties to the higher region
 * index, so that equal regions end up in the final order lowest index first (as greedy puts them). */
const removedBefore = (Fa: number, a: number, Fb: number, b: number) => Fa < Fb || (Fa === Fb && a > b);

/**
 * A budgeted, lazily screened reverse greedy on LIMA's score F: the reverse half of LIMA Algorithm 1
 * (eq. 9, argmin of F(S_rev ∪ {α})) run alone from the full image, fast (METHOD.md §4).
 *
 * Regions leave the image one at a time, least important first; the final order is the removal
 * order reversed, so every prefix of it is an image the search has seen: the regions still kept.
 * With LIMA's weights the choice is decided by what stays: F(S_rev ∪ {α}) = λ_cons·s_cons of the
 * removed set + λ_colla·(1 − the target score of the kept image) + …, and while the removed set is
 * small its own image scores about 0 for every candidate (the flat start that a forward search
 * meets at its beginning). Each step therefore *screens* candidates by their kept image alone —
 * F(S_rev ∪ {α}) with s_cons and s_conf held at F(S_rev)'s values (`SearchContext.estimateReverse`,
 * one image per candidate) — takes the lowest, and measures its removed-set image with the next
 * step's screen (one model call per step, not two), so every step's F is exact.
 *
 * Screening is lazy (Minoux's accelerated greedy): F is monotone, so the F a candidate had when it
 * was last measured is a lower bound on its F now. Candidates are screened `screen` at a time in
 * order of their last measured F (step 0 measures all of them), and a step ends as soon as the best
 * fresh F is at most the next candidate's last one (then no other candidate can be lower, for a
 * monotone F), or after `window` candidates. Without estimates (a context with `evaluate` only)
 * every candidate is scored exactly, two images each.
 *
 * Forward length 0: every step is a reverse step. Deterministic: no randomness; ties are removed
 * highest region index first, so equal regions come out lowest index first.
 */
export async function fastSearch(ctx: SearchContext, options: FastSearchOptions = {}): Promise<SearchResult> {
  const o = checkOptions(options);
  const m = ctx.m;
  const all = Array.from({ length: m }, (_, i) => i);
  const limit = Math.floor(o.budget * m);
  let used = 0;
  /** F(S_rev ∪ {α}) when α was last measured: a lower bound on its F now. */
  const last = new Float64Array(m);
  const removed: number[] = [];
  const isRemoved = new Uint8Array(m);
  const steps: SearchStep[] = [];
  /** Kept-image estimates (one image each) when the context gives them, otherwise exact F (two images each). */
  const screen = async (base: readonly number[], candidates: readonly number[], free: boolean): Promise<ScoreTerms[]> => {
    if (!free) used += (ctx.estimateReverse ? 1 : 2) * candidates.length;
    return ctx.estimateReverse ? ctx.estimateReverse(base, candidates) : ctx.evaluate(base, candidates);
  };
  /** The last removal, scored exactly once the next screen has brought its removed-set image
   * (`terms` already when its screen was exact: a context without estimates). */
  let pending: { base: readonly number[]; region: number; terms?: ScoreTerms } | undefined;
  const remove = (base: readonly number[], region: number, images: number, terms?: ScoreTerms) => {
    used += images;
    removed.push(region);
    isRemoved[region] = 1;
    pending = { base, region, terms };
  };
  /** Scores the last removal exactly: its images are in hand by now (the context's cache serves them). */
  const settle = async () => {
    if (!pending) return;
    const { base, region } = pending;
    const terms = pending.terms ?? (await ctx.evaluate(base, [region]))[0];
    pending = undefined;
    steps.push({ region, direction: "reverse", terms });
    ctx.onProgress?.({ iteration: steps.length - 1, placed: steps.length, total: m, forward: [], reverse: removed.slice(0, steps.length) });
  };

  // Step 0: every region's kept image (the image without it); the singletons' S-images are free.
  throwIfAborted(ctx.signal);
  used += m;
  const first = ctx.estimateReverse ? await ctx.estimateReverse([], all) : await ctx.evaluate([], all);
  first.forEach((t, r) => (last[r] = t.F));
  let pick0 = 0;
  for (let r = 1; r < m; r++) if (removedBefore(last[r], r, last[pick0], pick0)) pick0 = r;
  remove([], pick0, 0, ctx.estimateReverse ? undefined : first[pick0]);

  while (removed.length < m) {
    throwIfAborted(ctx.signal);
    const base = ascending(removed);
    const left = all.filter((r) => !isRemoved[r]);
    // The last region: its removed set is the full image and its kept image the baseline (both run first).
    if (left.length === 1) {
      await settle();
      remove(base, left[0], 0);
      break;
    }
    /** With two regions left every image of the step has been run: the singletons' S-images and step 0's images without one region. */
    const free = left.length === 2;
    /** Images this step may use: the budget left after two for each later step that is not free. */
    const room = limit - used - 2 * Math.max(0, left.length - 3);
    const cap = free ? 2 : Math.max(1, Math.min(o.window, left.length, ctx.estimateReverse ? room - 1 : Math.floor(room / 2)));
    const queue = left.sort((a, b) => (removedBefore(last[a], a, last[b], b) ? -1 : removedBefore(last[b], b, last[a], a) ? 1 : 0));
    let best = -1;
    /** This step's exact scores, when the screen is exact (no estimates). */
    const exact = new Map<number, ScoreTerms>();
    for (let at = 0; at < cap; ) {
      const chunk = ascending(queue.slice(at, Math.min(at + o.screen, cap)));
      at += chunk.length;
      (await screen(base, chunk, free)).forEach((t, i) => {
        last[chunk[i]] = t.F;
        if (!ctx.estimateReverse) exact.set(chunk[i], t);
      });
      // The screen asked for the S-image of S_rev as well: the previous removal's second image.
      await settle();
      for (const r of chunk) if (best < 0 || removedBefore(last[r], r, last[best], best)) best = r;
      // Lazy test: no candidate not screened this step can go below the best (its last F is a lower bound).
      if (at < queue.length && !removedBefore(last[queue[at]], queue[at], last[best], best)) break;
    }
    remove(base, best, ctx.estimateReverse && !free ? 1 : 0, exact.get(best));
  }
  await settle();
  return { order: [...removed].reverse(), steps: [...steps].reverse(), forwardLength: 0, evaluations: used };
}
