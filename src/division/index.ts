/**
 * Division strategies (METHOD.md §2): each turns an image at model resolution into disjoint,
 * covering, non-empty regions V = {R_1..R_m}, stored as a label map, and reports the actual |V|.
 */
import type { Division } from "../types";

export { gridDivision, type GridOptions } from "./grid";
export { slicoDivision, SEED_GRIDS, type SeedGrid, type SlicoOptions } from "./slico";
export { priorDivision, PRIOR_N, PRIOR_REGIONS, type PriorOptions } from "./prior";
export { masksDivision, type MasksOptions } from "./masks";
export { labelImageFor, labelsDivision, loadRegionLabels } from "./labels";
export { enforceConnectivity } from "./connectivity";
export { felzenszwalbDivision, FELZENSZWALB_DEFAULTS, FELZENSZWALB_PARAMS, FH_MIN_SIZE, FH_SCALE, FH_SIGMA, type FelzenszwalbOptions } from "./felzenszwalb";
export { DEFAULT_DIVISION, divide, DIVISIONS, DIVISION_METHODS, divisionOptionsFrom, getDivision, gridCountsText, gridSide, isMemoisable, NAMED_DIVISIONS, type DivisionMethod, type DivisionOptions, type DivisionStrategy } from "./registry";

/** The pixel indices (y·width + x, ascending) of every region. */
export function regionPixels(division: Division): Int32Array[] {
  const counts = new Int32Array(division.count);
  for (const l of division.labels) counts[l]++;
  const lists = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(division.count);
  const { labels } = division;
  for (let p = 0; p < labels.length; p++) lists[labels[p]][fill[labels[p]]++] = p;
  return lists;
}

/** The area fraction |R_i| / (W·H) of every region; they sum to 1. */
export function regionAreas(division: Division): Float64Array {
  const areas = new Float64Array(division.count);
  for (const l of division.labels) areas[l]++;
  const n = division.labels.length;
  for (let i = 0; i < areas.length; i++) areas[i] /= n;
  return areas;
}

/**
 * A short stable key of a division, for caches: method, |V|, size and a 32-bit FNV-1a hash of
 * the label map's bytes, e.g. "slico49@224x224:1a2b3c4d". Equal divisions give equal keys.
 */
export function divisionKey(division: Division): string {
  const bytes = new Uint8Array(division.labels.buffer, division.labels.byteOffset, division.labels.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  const hex = (h >>> 0).toString(16).padStart(8, "0");
  return `${division.method}${division.count}@${division.width}x${division.height}:${hex}`;
}

/**
 * Checks that a division is well formed: integer size, one label per pixel, every label in
 * 0..count−1 (so the regions cover the image) and every region non-empty. Throws a RangeError
 * naming the first problem.
 */
export function validateDivision(division: Division): void {
  const { width, height, labels, count } = division;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`division size ${width}×${height} is not allowed: use positive integer sides`);
  }
  if (!(labels instanceof Int32Array) || labels.length !== width * height) {
    throw new RangeError(`division has ${labels?.length} labels; ${width}×${height} needs an Int32Array of ${width * height}`);
  }
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`division count ${count} is not allowed: use an integer ≥ 1`);
  const seen = new Uint8Array(count);
  for (let p = 0; p < labels.length; p++) {
    const l = labels[p];
    if (!(l >= 0 && l < count)) throw new RangeError(`pixel ${p} (x ${p % width}, y ${Math.floor(p / width)}) has label ${l}; labels must be 0..${count - 1}`);
    seen[l] = 1;
  }
  const empty = seen.indexOf(0);
  if (empty >= 0) throw new RangeError(`region ${empty} of ${count} is empty; every label 0..${count - 1} needs a pixel`);
}
