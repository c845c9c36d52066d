/**
 * Relevance Mass Accuracy and Relevance Rank Accuracy (Arras et al. 2022, as SALVAGE A.1 uses
 * them) of a saliency map against an annotation mask of the object, at pixel level.
 */
import type { AttributionResult } from "../methods/types";
import type { SaliencyMap } from "../types";
import type { MetricSpec } from "./types";

function checkMask(map: SaliencyMap, mask: Uint8Array): number {
  if (mask.length !== map.data.length) throw new RangeError(`annotation mask has ${mask.length} pixels; the map has ${map.data.length} (${map.width}×${map.height})`);
  let k = 0;
  for (const v of mask) k += v ? 1 : 0;
  return k;
}

/**
 * RMA = Σ_{p∈GT} max(R_p, 0) / Σ_p max(R_p, 0): the share of the positive relevance inside the
 * annotation. NaN when the map has no positive value.
 */
export function relevanceMassAccuracy(map: SaliencyMap, mask: Uint8Array): number {
  checkMask(map, mask);
  let inside = 0, total = 0;
  map.data.forEach((r, p) => {
    const pos = Math.max(r, 0);
    total += pos;
    if (mask[p]) inside += pos;
  });
  return total > 0 ? inside / total : NaN;
}

/**
 * RRA = |top-K pixels ∩ GT| / K with K = |GT|. Pixels tied at the K-th value count
 * fractionally (the expected value over random tie-breaking), so region maps, whose pixels tie
 * in blocks, are not judged by an arbitrary tie rule. NaN for an empty annotation.
 */
export function relevanceRankAccuracy(map: SaliencyMap, mask: Uint8Array): number {
  const K = checkMask(map, mask);
  if (K === 0) return NaN;
  const sorted = Float64Array.from(map.data).sort((a, b) => b - a);
  const t = sorted[K - 1];
  let above = 0, tied = 0, aboveIn = 0, tiedIn = 0;
  map.data.forEach((r, p) => {
    if (r > t) {
      above++;
      if (mask[p]) aboveIn++;
    } else if (r === t) {
      tied++;
      if (mask[p]) tiedIn++;
    }
  });
  return (aboveIn + ((K - above) / tied) * tiedIn) / K;
}

/** RMA / RRA as a bound metric; yields nothing when the benchmark has no annotation. */
export const localisationMetric: MetricSpec = {
  name: "localisation",
  columns: [
    { key: "rma", label: "RMA", better: "higher" },
    { key: "rra", label: "RRA", better: "higher" },
  ],
  params: [],
  async evaluate(bench, result: AttributionResult) {
    if (!bench.annotation) return {};
    const out: Record<string, number> = {};
    const rma = relevanceMassAccuracy(result.map, bench.annotation);
    const rra = relevanceRankAccuracy(result.map, bench.annotation);
    if (Number.isFinite(rma)) out.rma = rma;
    if (Number.isFinite(rra)) out.rra = rra;
    return out;
  },
};
