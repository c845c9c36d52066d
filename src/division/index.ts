/**
 * Division strategies (METHOD.md §2): each returns disjoint, covering, non-empty regions as a
 * label map, and reports the actual |V|.
 */
import type { Division, RgbImage, SaliencyMap } from "../types";
import { gridDivision } from "./grid";
import { masksDivision } from "./masks";
import { priorDivision } from "./prior";
import { slicoDivision } from "./slico";

export { gridDivision, type GridOptions } from "./grid";
export { slicoDivision, type SlicoOptions } from "./slico";
export { priorDivision, type PriorOptions } from "./prior";
export { masksDivision, type MasksOptions } from "./masks";
export { enforceConnectivity } from "./connectivity";

/** How an image is divided; `regions` is the target |V| (grid: a perfect square). */
export type DivisionOptions =
  | { readonly method: "grid"; readonly regions?: number }
  | { readonly method: "slico"; readonly regions?: number; readonly iterations?: number }
  | { readonly method: "prior"; readonly map: SaliencyMap; readonly n?: number; readonly m?: number }
  | { readonly method: "masks"; readonly masks: readonly Uint8Array[]; readonly delta?: number };

export const DIVISION_METHODS = ["grid", "slico", "prior", "masks"] as const;

/** Divides an image (at model resolution) by the named strategy. */
export function divide(image: RgbImage, options: DivisionOptions): Division {
  switch (options.method) {
    case "grid": {
      const regions = options.regions ?? 49;
      const n = Math.round(Math.sqrt(regions));
      if (n * n !== regions) throw new RangeError(`grid regions ${regions} is not a perfect square; use 4, 9, 16, 25, 36, 49, 64, …`);
      return gridDivision(image.width, image.height, { n });
    }
    case "slico":
      return slicoDivision(image, options);
    case "prior":
      if (options.map.width !== image.width || options.map.height !== image.height) {
        throw new RangeError(`prior map is ${options.map.width}×${options.map.height}; the image is ${image.width}×${image.height}`);
      }
      return priorDivision(options.map, options);
    case "masks":
      return masksDivision(options.masks, image.width, image.height, options);
    default:
      throw new RangeError(`division method ${JSON.stringify((options as { method: unknown }).method)} is not allowed: use one of ${DIVISION_METHODS.join(", ")}`);
  }
}

/** The pixel indices of every region. */
export function regionPixels(division: Division): Int32Array[] {
  const counts = new Int32Array(division.count);
  for (const l of division.labels) counts[l]++;
  const lists = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(division.count);
  division.labels.forEach((l, p) => (lists[l][fill[l]++] = p));
  return lists;
}

/** The area fraction of every region. */
export function regionAreas(division: Division): Float64Array {
  const areas = new Float64Array(division.count);
  for (const l of division.labels) areas[l]++;
  return areas.map((a) => a / division.labels.length);
}

/** A short stable key of a division (method, |V| and an FNV-1a hash of the label map). */
export function divisionKey(division: Division): string {
  let h = 0x811c9dc5;
  for (const l of division.labels) {
    h ^= l;
    h = Math.imul(h, 0x01000193);
  }
  return `${division.method}${division.count}:${(h >>> 0).toString(16).padStart(8, "0")}`;
}

/** Checks that labels are in 0..count−1 and every region is non-empty; throws naming the problem. */
export function validateDivision(division: Division): void {
  if (division.labels.length !== division.width * division.height) {
    throw new RangeError(`division has ${division.labels.length} labels; ${division.width}×${division.height} needs ${division.width * division.height}`);
  }
  const seen = new Uint8Array(division.count);
  division.labels.forEach((l, p) => {
    if (!(l >= 0 && l < division.count)) throw new RangeError(`pixel ${p} has label ${l}; labels must be 0..${division.count - 1}`);
    seen[l] = 1;
  });
  const empty = seen.indexOf(0);
  if (empty >= 0) throw new RangeError(`region ${empty} of ${division.count} is empty`);
}
