import { REGIONS } from "../params/regions";
import type { NumberParam } from "../params/types";
import type { Division, SaliencyMap } from "../types";
import { checkSize } from "./check";
import { patchIndex } from "./grid";

/** N of SMDL's setting for birds: the prior map is reduced to N×N patches. */
export const PRIOR_N = 10;

/**
 * m, prior's |V|: read from `--regions` with `--division prior` (its default is SMDL's 25, not
 * slico's and grid's 49, which does not divide N² = 100); at most the N² patches.
 */
export const PRIOR_REGIONS: NumberParam = {
  kind: "number", name: "m", label: "|V|", flag: "regions", default: 25, min: REGIONS.min, max: Math.min(REGIONS.max, PRIOR_N * PRIOR_N), integer: true, unit: "regions",
  meaning: `number of regions of the prior division, each of N²/m patches of consecutive rank (SMDL Algorithm 1; N = ${PRIOR_N}, so a divisor of ${PRIOR_N * PRIOR_N})`,
};

/** Options of {@link priorDivision}. */
export interface PriorOptions {
  /** N: the prior map is reduced to N×N patches (default PRIOR_N, 10, SMDL's setting for birds; 28 for faces). */
  readonly n?: number;
  /** m: the number of regions, each of d = N²/m patches; N² must be divisible by m (default PRIOR_REGIONS.default, 25; 98 for faces). */
  readonly m?: number;
}

/**
 * prior(map, N, m) — SMDL Algorithm 1 (METHOD.md §2): resize the prior saliency map to N×N by
 * area averaging, rank the N² patches by value (descending; ties by lower patch index), and put
 * the d = N²/m patches of ranks l·d .. (l+1)·d − 1 into region l, so region 0 holds the most
 * salient patches. The map may have any resolution; the division is width×height (default: the
 * map's), with patch boundaries at round(i·W/N). Regions need not be connected: that is the method.
 */
export function priorDivision(map: SaliencyMap, options: PriorOptions = {}, width: number = map.width, height: number = map.height): Division {
  const n = options.n ?? PRIOR_N;
  const m = options.m ?? PRIOR_REGIONS.default;
  checkMap(map);
  checkSize("prior division", width, height);
  checkPatches(n, m, width, height);
  const means = areaResize(map, n);
  const ranked = Array.from({ length: n * n }, (_, i) => i).sort((a, b) => means[b] - means[a] || a - b);
  const d = (n * n) / m;
  const regionOfPatch = new Int32Array(n * n);
  ranked.forEach((patch, rank) => (regionOfPatch[patch] = Math.floor(rank / d)));
  const rowOf = patchIndex(height, n), colOf = patchIndex(width, n);
  const labels = new Int32Array(width * height);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) labels[p] = regionOfPatch[rowOf[y] * n + colOf[x]];
  }
  return { width, height, labels, count: m, method: "prior" };
}

function checkMap(map: SaliencyMap): void {
  checkSize("prior map", map.width, map.height);
  if (map.data.length !== map.width * map.height) {
    throw new RangeError(`prior map has ${map.data.length} values; ${map.width}×${map.height} needs ${map.width * map.height}`);
  }
  const bad = map.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`prior map value ${map.data[bad]} at pixel ${bad} is not allowed: use finite numbers`);
}

function checkPatches(n: number, m: number, width: number, height: number): void {
  const most = Math.min(width, height);
  if (!Number.isInteger(n) || n < 1 || n > most) {
    throw new RangeError(`prior n ${n} is not allowed: use an integer 1..${most} (every patch needs a pixel)`);
  }
  if (!Number.isInteger(m) || m < 1 || (n * n) % m !== 0) {
    const divisors = Array.from({ length: n * n }, (_, i) => i + 1).filter((k) => (n * n) % k === 0);
    throw new RangeError(`prior m ${m} is not allowed with n ${n}: N² = ${n * n} must be divisible by m (use one of ${divisors.join(", ")})`);
  }
}

/** Overlap weights of `size` source cells with each of n equal target cells: cell j covers [j·size/n, (j+1)·size/n). */
function overlaps(size: number, n: number): { first: Int32Array; weights: Float64Array[] } {
  const first = new Int32Array(n);
  const weights: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const a = (j * size) / n, b = ((j + 1) * size) / n;
    const lo = Math.floor(a), hi = Math.min(size, Math.ceil(b));
    first[j] = lo;
    weights.push(Float64Array.from({ length: hi - lo }, (_, i) => Math.min(b, lo + i + 1) - Math.max(a, lo + i)));
  }
  return { first, weights };
}

/**
 * Area-average resize of a map to n×n (each value: the mean of the map over that cell, fractional
 * pixels weighted), rounded to float32 — the map's own precision — so equal patches tie exactly.
 */
function areaResize(map: SaliencyMap, n: number): Float32Array {
  const { width, height, data } = map;
  const wx = overlaps(width, n), wy = overlaps(height, n);
  const rows = new Float64Array(height * n);
  for (let y = 0; y < height; y++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      wx.weights[j].forEach((w, i) => (sum += w * data[y * width + wx.first[j] + i]));
      rows[y * n + j] = sum;
    }
  }
  const out = new Float32Array(n * n);
  const area = (width / n) * (height / n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      wy.weights[i].forEach((w, k) => (sum += w * rows[(wy.first[i] + k) * n + j]));
      out[i * n + j] = sum / area;
    }
  }
  return out;
}
