/**
 * SALVAGE's region-level faithfulness metrics (Appendix A.1): MIF and LIF (Algorithm 1), SRG =
 * MIF − LIF (eq. 7), R-MIF and R-LIF (Algorithm 2) and R-SRG = R-MIF − R-LIF (eq. 8). The
 * features are the regions of a division; v(S) is the target probability of the image with the
 * regions of S kept and the rest at the baseline.
 */
import { regionPixels } from "../division";
import { compositeRegions, resolveBaseline } from "../image/baseline";
import type { AttributionResult } from "../methods/types";
import type { BlackBoxModel } from "../model/types";
import { checkParam, type NumberParam } from "../params/types";
import { minMaxNormalise, weightedDraw } from "../sampling";
import type { Division, RgbImage, RunControl, SaliencyMap } from "../types";
import { throwIfAborted } from "../util/abort";
import { createRandom, type Random } from "../util/random";
import type { MetricBenchmark, MetricSpec } from "./types";

/** v over a batch of coalitions (1 = region kept): one target score per coalition. */
export type CoalitionValue = (coalitions: readonly Uint8Array[]) => Promise<number[]>;

/**
 * v(S) on the model: the target probability of the coalition image, evaluated in model-sized
 * batches, each distinct coalition once (a cache keyed by the coalition). `passes()` counts the
 * images run.
 */
export function modelCoalitionValue(model: BlackBoxModel, image: RgbImage, division: Division, target: number, options: RunControl & { readonly baseline?: number } = {}): CoalitionValue & { passes(): number } {
  const pixels = regionPixels(division);
  const cache = new Map<string, number>();
  let passes = 0;
  const baseline = resolveBaseline(image, options.baseline ?? 0);
  const value = async (coalitions: readonly Uint8Array[]) => {
    const base = await baseline;
    const keys = coalitions.map((z) => z.join(""));
    const todo = [...new Set(keys.filter((k) => !cache.has(k)))];
    const chunk = Math.max(1, model.batchSize);
    for (let s = 0; s < todo.length; s += chunk) {
      throwIfAborted(options.signal);
      const part = todo.slice(s, s + chunk);
      const images = part.map((k) => compositeRegions(image, base, pixels, [...k].flatMap((c, r) => (c === "1" ? [r] : []))));
      const out = await model.run(images, { signal: options.signal });
      part.forEach((k, i) => cache.set(k, out[i].probs[target]));
      passes += part.length;
    }
    return keys.map((k) => cache.get(k)!);
  };
  return Object.assign(value, { passes: () => passes });
}

/** A region's score: the mean of the map over its pixels (so pixel maps such as RISE's can be ranked by region). */
export function regionScores(map: SaliencyMap, division: Division): Float64Array {
  if (map.width !== division.width || map.height !== division.height) throw new RangeError(`saliency map is ${map.width}×${map.height}; the division is ${division.width}×${division.height}`);
  const sum = new Float64Array(division.count), n = new Float64Array(division.count);
  division.labels.forEach((l, p) => {
    sum[l] += map.data[p];
    n[l]++;
  });
  return sum.map((s, i) => s / n[i]);
}

/** Region order by φ: descending for MIF, ascending for LIF; ties by lower region index in both. */
export function influenceOrder(phi: ArrayLike<number>, mode: "mif" | "lif"): number[] {
  const idx = Array.from({ length: phi.length }, (_, i) => i);
  return idx.sort((a, b) => (mode === "mif" ? phi[b] - phi[a] : phi[a] - phi[b]) || a - b);
}

/** The prefix coalitions of an order: after 1, 2, …, |N| regions. */
function prefixes(order: readonly number[]): Uint8Array[] {
  const z = new Uint8Array(order.length);
  return order.map((r) => {
    z[r] = 1;
    return z.slice();
  });
}

/** MIF or LIF (SALVAGE Algorithm 1): regions added one by one in φ order, score = mean of v over the |N| prefixes (∅ excluded). */
export async function influenceFirst(phi: ArrayLike<number>, value: CoalitionValue, mode: "mif" | "lif"): Promise<{ score: number; curve: number[] }> {
  const curve = await value(prefixes(influenceOrder(phi, mode)));
  return { score: curve.reduce((s, v) => s + v, 0) / curve.length, curve };
}

/** MIF, LIF and SRG = MIF − LIF (eq. 7). */
export async function symmetricRelevanceGain(phi: ArrayLike<number>, value: CoalitionValue): Promise<{ mif: number; lif: number; srg: number }> {
  const mif = (await influenceFirst(phi, value, "mif")).score;
  const lif = (await influenceFirst(phi, value, "lif")).score;
  return { mif, lif, srg: mif - lif };
}

/** Options of {@link relativeInfluence}. */
export interface RelativeOptions {
  /** Coalitions drawn per subset size (default 128, the paper's n_masks). */
  readonly masks?: number;
  readonly random?: Random;
}

/**
 * R-MIF or R-LIF (SALVAGE Algorithm 2): for i = 1..|N|, draw `masks` coalitions of i regions
 * without replacement with weights φ_norm (R-MIF) or 1 − φ_norm (R-LIF), φ_norm the min-max
 * normalised φ; average v per size, then over sizes. Zero weights: see {@link weightedDraw}.
 */
export async function relativeInfluenceFirst(phi: ArrayLike<number>, value: CoalitionValue, mode: "rmif" | "rlif", options: RelativeOptions = {}): Promise<{ score: number; curve: number[] }> {
  const masks = options.masks ?? RSRG_MASKS.default;
  if (!Number.isInteger(masks) || masks < 1) throw new RangeError(`masks ${masks} is not allowed: use an integer ≥ 1`);
  const random = options.random ?? createRandom(0);
  const norm = minMaxNormalise(phi);
  const weights = mode === "rmif" ? norm : norm.map((w) => 1 - w);
  const n = phi.length;
  const draws: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) for (let j = 0; j < masks; j++) draws.push(weightedDraw(weights, i, random));
  const v = await value(draws);
  const curve = Array.from({ length: n }, (_, i) => v.slice(i * masks, (i + 1) * masks).reduce((s, x) => s + x, 0) / masks);
  return { score: curve.reduce((s, x) => s + x, 0) / n, curve };
}

/** R-MIF, R-LIF and R-SRG = R-MIF − R-LIF (eq. 8). */
export async function relativeInfluence(phi: ArrayLike<number>, value: CoalitionValue, options: RelativeOptions = {}): Promise<{ rmif: number; rlif: number; rsrg: number }> {
  const random = options.random ?? createRandom(0);
  const rmif = (await relativeInfluenceFirst(phi, value, "rmif", { ...options, random })).score;
  const rlif = (await relativeInfluenceFirst(phi, value, "rlif", { ...options, random })).score;
  return { rmif, rlif, rsrg: rmif - rlif };
}

/** The region scores a result is judged by: its map averaged over each region of the benchmark's division. */
function resultScores(bench: MetricBenchmark, result: AttributionResult): Float64Array {
  return regionScores(result.map, bench.division);
}

/** MIF / LIF / SRG as a bound metric (region-level, on the benchmark's division). */
export const srgMetric: MetricSpec = {
  name: "srg",
  columns: [
    { key: "mif", label: "MIF", better: "higher" },
    { key: "lif", label: "LIF", better: "lower" },
    { key: "srg", label: "SRG", better: "higher" },
  ],
  params: [],
  async evaluate(bench, result) {
    const value = modelCoalitionValue(bench.model, bench.image, bench.division, bench.target, bench);
    return symmetricRelevanceGain(resultScores(bench, result), value);
  },
};

/** R-MIF/R-LIF's coalitions per subset size (`--rsrg-masks`). */
export const RSRG_MASKS: NumberParam = { kind: "number", name: "masks", label: "masks per size", flag: "rsrg-masks", default: 128, min: 1, max: 4096, integer: true, unit: "masks", meaning: "coalitions drawn per subset size for R-MIF/R-LIF (SALVAGE A.1: 128)" };

/** R-MIF / R-LIF / R-SRG as a bound metric; seeded by the benchmark's seed. Cost: up to 2·|V|·masks forward passes (repeated coalitions run once). */
export const rsrgMetric: MetricSpec = {
  name: "rsrg",
  columns: [
    { key: "rmif", label: "R-MIF", better: "higher" },
    { key: "rlif", label: "R-LIF", better: "lower" },
    { key: "rsrg", label: "R-SRG", better: "higher" },
  ],
  params: [RSRG_MASKS],
  async evaluate(bench, result, options = {}) {
    // Eval passes one options object to every metric; only `masks` is this metric's.
    const masks = checkParam(RSRG_MASKS, options.masks ?? RSRG_MASKS.default) as number;
    const value = modelCoalitionValue(bench.model, bench.image, bench.division, bench.target, bench);
    return relativeInfluence(resultScores(bench, result), value, { masks, random: createRandom(bench.seed ?? 0) });
  },
};
