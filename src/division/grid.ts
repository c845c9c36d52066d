import { REGIONS } from "../params/regions";
import type { Division } from "../types";
import { checkSize } from "./check";

/** Options of {@link gridDivision}. */
export interface GridOptions {
  /** N: the image is cut into N×N patches, |V| = N² (default √REGIONS.default, rounded). */
  readonly n?: number;
}

/** The patch index (0..n−1) of every coordinate 0..size−1, with patch i covering [round(i·size/n), round((i+1)·size/n)). */
export function patchIndex(size: number, n: number): Int32Array {
  const index = new Int32Array(size);
  for (let i = 0; i < n; i++) index.fill(i, Math.round((i * size) / n), Math.round(((i + 1) * size) / n));
  return index;
}

/**
 * grid(N) — METHOD.md §2: N×N patches, |V| = N², numbered row by row. Sides not divisible by N
 * get boundaries at round(i·W/N) and round(j·H/N), so patch sides differ by at most one pixel.
 */
export function gridDivision(width: number, height: number, options: GridOptions = {}): Division {
  const n = options.n ?? Math.round(Math.sqrt(REGIONS.default));
  checkSize("grid image", width, height);
  const most = Math.min(width, height);
  if (!Number.isInteger(n) || n < 1 || n > most) {
    throw new RangeError(`grid n ${n} is not allowed: use an integer 1..${most} (at most the shorter image side)`);
  }
  const colOf = patchIndex(width, n);
  const rowOf = patchIndex(height, n);
  const labels = new Int32Array(width * height);
  for (let y = 0, p = 0; y < height; y++) {
    const base = rowOf[y] * n;
    for (let x = 0; x < width; x++, p++) labels[p] = base + colOf[x];
  }
  return { width, height, labels, count: n * n, method: "grid" };
}
