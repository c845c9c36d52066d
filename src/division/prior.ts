import type { Division, SaliencyMap } from "../types";
import { gridDivision } from "./grid";

/** Options of {@link priorDivision}. */
export interface PriorOptions {
  /** N: the prior map is cut into N×N patches (default 10, SMDL's birds setting). */
  readonly n?: number;
  /** m: the number of regions; N² must be divisible by m (default 25). */
  readonly m?: number;
}

/**
 * prior(map, N, m) — SMDL Algorithm 1: average the prior saliency map over N×N patches, rank the
 * patches by value (descending, ties by patch index), and put d = N²/m patches of consecutive rank
 * into each of the m regions (region 0 holds the most salient patches). Regions need not be connected.
 */
export function priorDivision(map: SaliencyMap, options: PriorOptions = {}): Division {
  const n = options.n ?? 10;
  const m = options.m ?? 25;
  if (!Number.isInteger(m) || m < 1 || (n * n) % m !== 0) {
    const divisors = Array.from({ length: n * n }, (_, i) => i + 1).filter((d) => (n * n) % d === 0);
    throw new RangeError(`prior m ${m} is not allowed with n ${n}: N² = ${n * n} must be divisible by m (use one of ${divisors.join(", ")})`);
  }
  if (map.data.length !== map.width * map.height) throw new RangeError(`prior map has ${map.data.length} values; ${map.width}×${map.height} needs ${map.width * map.height}`);
  const grid = gridDivision(map.width, map.height, { n });
  const sums = new Float64Array(n * n);
  const counts = new Float64Array(n * n);
  grid.labels.forEach((patch, p) => {
    sums[patch] += Number.isFinite(map.data[p]) ? map.data[p] : 0;
    counts[patch]++;
  });
  const ranked = Array.from({ length: n * n }, (_, i) => i).sort((a, b) => sums[b] / counts[b] - sums[a] / counts[a] || a - b);
  const d = (n * n) / m;
  const regionOfPatch = new Int32Array(n * n);
  ranked.forEach((patch, rank) => (regionOfPatch[patch] = Math.floor(rank / d)));
  const labels = grid.labels.map((patch) => regionOfPatch[patch]);
  return { width: map.width, height: map.height, labels, count: m, method: "prior" };
}
