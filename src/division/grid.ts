import type { Division } from "../types";

/** Options of {@link gridDivision}. */
export interface GridOptions {
  /** N: the image is cut into N×N patches, |V| = N² (default 7). */
  readonly n?: number;
}

/**
 * grid(N) (METHOD.md §2): N×N patches with boundaries at round(i·W/N), round(j·H/N);
 * regions are numbered row by row.
 */
export function gridDivision(width: number, height: number, options: GridOptions = {}): Division {
  const n = options.n ?? 7;
  if (!Number.isInteger(n) || n < 1 || n > Math.min(width, height)) {
    throw new RangeError(`grid n ${n} is not allowed: use an integer 1..${Math.min(width, height)} (at most the image side)`);
  }
  const colOf = new Int32Array(width);
  const rowOf = new Int32Array(height);
  for (let i = 0; i < n; i++) {
    for (let x = Math.round((i * width) / n); x < Math.round(((i + 1) * width) / n); x++) colOf[x] = i;
    for (let y = Math.round((i * height) / n); y < Math.round(((i + 1) * height) / n); y++) rowOf[y] = i;
  }
  const labels = new Int32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) labels[y * width + x] = rowOf[y] * n + colOf[x];
  return { width, height, labels, count: n * n, method: "grid" };
}
