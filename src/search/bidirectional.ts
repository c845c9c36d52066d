import { NP } from "../params/lima";
import { throwIfAborted } from "../util/abort";
import { pickBest, remainingRegions } from "./greedy";
import type { SearchContext, SearchResult, SearchStep } from "./types";

/** Options of {@link bidirectionalSearch}. */
export interface BidirectionalOptions {
  /** n_p, the pending negatives re-evaluated for the reverse set each iteration (default NP.default of src/params/lima.ts). */
  readonly np?: number;
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

/** The n_p candidates with the lowest F (ties: lowest region index), the chosen one excluded. */
function lowest(candidates: readonly number[], F: readonly number[], chosen: number, np: number): number[] {
  return candidates
    .map((region, i) => ({ region, F: F[i] }))
    .filter((c) => c.region !== chosen)
    .sort((a, b) => a.F - b.F || a.region - b.region)
    .slice(0, np)
    .map((c) => c.region)
    .sort((a, b) => a - b);
}

/**
 * Bidirectional greedy search (LIMA Algorithm 1, as the authors' "EfficientV2" code runs it;
 * METHOD.md §4). Each iteration adds argmax F(S_fwd ∪ {α}) to S_fwd; while more than n_p
 * candidates remain — counted before the forward pick is removed, as the authors' code's
 * `len(candidates) > n_p` — the n_p others with the lowest forward score are re-evaluated as
 * S_rev ∪ {α} and the argmin joins S_rev. The order is S_fwd followed by S_rev reversed.
 */
export async function bidirectionalSearch(ctx: SearchContext, options: BidirectionalOptions = {}): Promise<SearchResult> {
  const np = options.np ?? NP.default;
  if (!Number.isInteger(np) || np < 1) throw new RangeError(`n_p ${np} is not allowed: use an integer ≥ 1`);
  if (np > ctx.m) throw new RangeError(`n_p ${np} is larger than |V| = ${ctx.m}: use 1..${ctx.m}`);
  const forward: number[] = [];
  const reverse: number[] = [];
  const forwardSteps: SearchStep[] = [];
  const reverseSteps: SearchStep[] = [];
  const placed = new Set<number>();
  for (let iteration = 0; placed.size < ctx.m; iteration++) {
    throwIfAborted(ctx.signal);
    const candidates = remainingRegions(ctx.m, placed);
    const terms = await ctx.evaluate(sorted(forward), candidates);
    const F = terms.map((t) => t.F);
    const best = pickBest(F, (a, b) => a > b);
    forward.push(candidates[best]);
    placed.add(candidates[best]);
    forwardSteps.push({ region: candidates[best], direction: "forward", terms: terms[best] });
    if (candidates.length > np) {
      const pending = lowest(candidates, F, candidates[best], np);
      const revTerms = await ctx.evaluate(sorted(reverse), pending);
      const worst = pickBest(revTerms.map((t) => t.F), (a, b) => a < b);
      reverse.push(pending[worst]);
      placed.add(pending[worst]);
      reverseSteps.push({ region: pending[worst], direction: "reverse", terms: revTerms[worst] });
    }
    ctx.onProgress?.({ iteration, placed: placed.size, total: ctx.m, forward: [...forward], reverse: [...reverse] });
  }
  return {
    order: [...forward, ...[...reverse].reverse()],
    steps: [...forwardSteps, ...[...reverseSteps].reverse()],
    forwardLength: forward.length,
  };
}
