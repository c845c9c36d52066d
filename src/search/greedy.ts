import { throwIfAborted } from "../util/abort";
import type { SearchContext, SearchResult, SearchStep } from "./types";


/** Index of the best value; ties to the earliest candidate (candidates are in region order). */
export function pickBest(values: readonly number[], better: (a: number, b: number) => boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (better(values[i], values[best])) best = i;
  return best;
}

/** Regions not in `placed`, ascending. */
export function remainingRegions(m: number, placed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let r = 0; r < m; r++) if (!placed.has(r)) out.push(r);
  return out;
}

/**
 * Greedy search (SMDL Algorithm 1 / METHOD.md §4): S ← ∅; k times evaluate F(S ∪ {α}) for every
 * remaining α in one batched call and add the argmax (ties: lowest region index).
 * `k` defaults to |V| (rank everything).
 */
export async function greedySearch(ctx: SearchContext, options: { k?: number } = {}): Promise<SearchResult> {
  const k = options.k ?? ctx.m;
  if (!Number.isInteger(k) || k < 1 || k > ctx.m) throw new RangeError(`greedy k ${k} is not allowed: use 1..${ctx.m} (|V|)`);
  const chosen: number[] = [];
  const steps: SearchStep[] = [];
  const placed = new Set<number>();
  for (let iteration = 0; iteration < k; iteration++) {
    throwIfAborted(ctx.signal);
    const candidates = remainingRegions(ctx.m, placed);
    const terms = await ctx.evaluate([...chosen].sort((a, b) => a - b), candidates);
    const best = pickBest(terms.map((t) => t.F), (a, b) => a > b);
    chosen.push(candidates[best]);
    placed.add(candidates[best]);
    steps.push({ region: candidates[best], direction: "forward", terms: terms[best] });
    ctx.onProgress?.({ iteration, placed: chosen.length, total: ctx.m, forward: [...chosen], reverse: [] });
  }
  return { order: chosen, steps, forwardLength: chosen.length };
}

