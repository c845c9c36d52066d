/**
 * SEA-NN's pre-processing of high-dimensional inputs (Manupriya et al. §3.2, Fig. 2), and the
 * up-sampling of its answer:
 *  (1) source heat maps at model resolution, each min-max normalised to [0, 1];
 *  (2) segmented maps: every segment (Felzenszwalb–Huttenlocher) gets the mean of the map over
 *      its pixels, min-max normalised over segments;
 *  (3) heat-map-level input H_i: the segmented map sub-sampled to a side×side grid (mean of each
 *      window; 28×28 = 784 features for 224×224 images, the paper's DSF input);
 *  (4) subset-level inputs H_i^j: the segmented map hard-thresholded at each percentile q_j
 *      (pixels whose value is at least the q-th percentile of all pixel values), then sub-sampled
 *      (a cell is selected when at least half its window is).
 */
import { patchIndex } from "../../division/grid";
import type { Division, SaliencyMap } from "../../types";

/** The paper's ImageNet thresholds (supplement S3). */
export const PAPER_PERCENTILES: readonly number[] = [97, 97.5, 98, 98.5, 99, 99.5];

/** Min-max normalisation to [0, 1]; a constant map becomes all zeros. Non-finite values count as the minimum. */
export function normalizeMap(values: ArrayLike<number>): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float64Array(values.length);
  if (!(hi > lo)) return out;
  for (let i = 0; i < values.length; i++) out[i] = Number.isFinite(values[i]) ? (values[i] - lo) / (hi - lo) : 0;
  return out;
}

/** Step (2): each pixel gets its segment's mean value, normalised to [0, 1] over segments. */
export function segmentMap(values: ArrayLike<number>, segments: Division): Float64Array {
  if (values.length !== segments.labels.length) throw new RangeError(`map has ${values.length} values; the segments cover ${segments.labels.length} pixels`);
  const sum = new Float64Array(segments.count), count = new Float64Array(segments.count);
  segments.labels.forEach((l, p) => {
    sum[l] += values[p];
    count[l]++;
  });
  const score = normalizeMap(sum.map((s, l) => s / count[l]));
  return Float64Array.from(segments.labels, (l) => score[l]);
}

/** The grid cell (row-major, side×side) of every pixel, with cell boundaries at round(i·W/side). */
export function cellOfPixel(width: number, height: number, side: number): Int32Array {
  const cx = patchIndex(width, side), cy = patchIndex(height, side);
  const out = new Int32Array(width * height);
  for (let y = 0, p = 0; y < height; y++) for (let x = 0; x < width; x++, p++) out[p] = cy[y] * side + cx[x];
  return out;
}

/** Step (3): mean of each cell's window. */
export function poolToGrid(values: ArrayLike<number>, width: number, height: number, side: number): Float64Array {
  if (!Number.isInteger(side) || side < 1 || side > Math.min(width, height)) throw new RangeError(`grid side ${side} is not allowed: use an integer 1..${Math.min(width, height)}`);
  const cells = cellOfPixel(width, height, side);
  const sum = new Float64Array(side * side), count = new Float64Array(side * side);
  for (let p = 0; p < cells.length; p++) {
    sum[cells[p]] += values[p];
    count[cells[p]]++;
  }
  return sum.map((s, c) => s / count[c]);
}

/** The q-th percentile (0..100) of the values, linear interpolation between order statistics (NumPy's default). */
export function percentile(values: ArrayLike<number>, q: number): number {
  return percentileOfSorted(Float64Array.from(values as ArrayLike<number>).sort(), q);
}

function percentileOfSorted(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Step (4): for each percentile, the grid cells of the hard-thresholded segmented map (may be empty). */
export function thresholdSubsets(segmented: ArrayLike<number>, width: number, height: number, side: number, percentiles: readonly number[]): number[][] {
  for (const q of percentiles) if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile ${q} is not allowed: use 0..100`);
  const sorted = Float64Array.from(segmented as ArrayLike<number>).sort();
  return percentiles.map((q) => {
    const t = percentileOfSorted(sorted, q);
    const binary = Float64Array.from(segmented as ArrayLike<number>, (v) => (v >= t ? 1 : 0));
    const pooled = poolToGrid(binary, width, height, side);
    const cells: number[] = [];
    pooled.forEach((v, c) => {
      if (v >= 0.5) cells.push(c);
    });
    return cells;
  });
}

/** The supervision of one source map: H_i (step 3) and its H_i^j (step 4). */
export function preprocessMap(map: SaliencyMap, segments: Division, side: number, percentiles: readonly number[]): { heat: Float64Array; subsets: number[][] } {
  const segmented = segmentMap(normalizeMap(map.data), segments);
  return { heat: poolToGrid(segmented, map.width, map.height, side), subsets: thresholdSubsets(segmented, map.width, map.height, side, percentiles) };
}

/** Up-sampling modes of the grid attribution to the image. */
export const UPSAMPLE_MODES = ["bilinear", "nearest"] as const;
export type UpsampleMode = (typeof UPSAMPLE_MODES)[number];

/**
 * The side×side grid values at image resolution: "nearest" gives every pixel its cell's value;
 * "bilinear" interpolates between cell centres (edges clamped).
 */
export function upsampleGrid(grid: ArrayLike<number>, side: number, width: number, height: number, mode: UpsampleMode = "bilinear"): SaliencyMap {
  const data = new Float32Array(width * height);
  if (mode === "nearest") {
    const cells = cellOfPixel(width, height, side);
    for (let p = 0; p < data.length; p++) data[p] = grid[cells[p]];
    return { width, height, data };
  }
  const axis = (size: number) => {
    const lo = new Int32Array(size), hi = new Int32Array(size), t = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const u = Math.min(side - 1, Math.max(0, ((i + 0.5) * side) / size - 0.5));
      lo[i] = Math.floor(u);
      hi[i] = Math.min(side - 1, lo[i] + 1);
      t[i] = u - lo[i];
    }
    return { lo, hi, t };
  };
  const ax = axis(width), ay = axis(height);
  for (let y = 0; y < height; y++) {
    const r0 = ay.lo[y] * side, r1 = ay.hi[y] * side, ty = ay.t[y];
    for (let x = 0; x < width; x++) {
      const a = grid[r0 + ax.lo[x]] * (1 - ax.t[x]) + grid[r0 + ax.hi[x]] * ax.t[x];
      const b = grid[r1 + ax.lo[x]] * (1 - ax.t[x]) + grid[r1 + ax.hi[x]] * ax.t[x];
      data[y * width + x] = a * (1 - ty) + b * ty;
    }
  }
  return { width, height, data };
}
