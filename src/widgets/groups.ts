import { encodePng } from "../image/png";
import type { AttributionGroup } from "../methods/types";
import type { Division } from "../types";
import type { GroupInfo } from "./protocol";

/** At most this many groups go to the group viewer: the highest-scoring ones. */
export const MAX_VIEWER_GROUPS = 50;

/** What the group viewer is sent for one result: the group list and the masks that are not region lists. */
export interface GroupPayload {
  /** Highest score first (ties: the method's own order), at most {@link MAX_VIEWER_GROUPS}. */
  readonly groups: GroupInfo[];
  /** How many groups the method produced (before the cap). */
  readonly total: number;
  /** The masks of groups sent without regions: PNGs, concatenated; empty when every group is a region list. */
  readonly masksPng: Uint8Array;
}

/** Whether `regions` are regions of `division` whose union is exactly `mask`. */
function regionsMakeMask(mask: Uint8Array, regions: readonly number[], division: Division): boolean {
  const inGroup = new Uint8Array(division.count);
  for (const r of regions) {
    if (!Number.isInteger(r) || r < 0 || r >= division.count) return false;
    inGroup[r] = 1;
  }
  const labels = division.labels;
  for (let p = 0; p < labels.length; p++) if ((mask[p] !== 0 ? 1 : 0) !== inGroup[labels[p]]) return false;
  return true;
}

/** A 0/1 mask as a black/white RGB PNG (white = in the group). */
function maskPng(mask: Uint8Array, width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(mask.length * 3);
  for (let p = 0; p < mask.length; p++) if (mask[p]) rgb.fill(255, p * 3, p * 3 + 3);
  return new Uint8Array(encodePng(rgb, width, height));
}

/**
 * The compact group list of a grouped result (Sum-of-Parts Definition 2; LIMA's ordered
 * prefixes) for the explorer's group viewer. Groups are ranked by score, highest first (a NaN
 * score ranks last; ties keep the method's order), and capped at `max`. A group whose `regions`
 * are regions of the explorer's `division` and whose mask is exactly their union travels as that
 * region list (the view rebuilds the mask from the `labels` map it already has); any other group
 * travels as one mask PNG at model resolution.
 */
export function groupPayload(groups: readonly AttributionGroup[], division: Division, options: { readonly max?: number } = {}): GroupPayload {
  const max = options.max ?? MAX_VIEWER_GROUPS;
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`max ${JSON.stringify(max)} is not allowed: use an integer ≥ 0`);
  const { width, height } = division;
  const pixels = width * height;
  groups.forEach((g, i) => {
    if (g.mask.length !== pixels) throw new RangeError(`group ${i}'s mask has ${g.mask.length} pixels; the ${width}×${height} division needs ${pixels}`);
  });
  const key = (s: number) => (Number.isNaN(s) ? -Infinity : s);
  const ranked = groups.map((_, i) => i).sort((a, b) => key(groups[b].score) - key(groups[a].score) || a - b).slice(0, max);
  const pngs: Uint8Array[] = [];
  let offset = 0;
  const infos = ranked.map((index): GroupInfo => {
    const g = groups[index];
    let area = 0;
    for (let p = 0; p < pixels; p++) if (g.mask[p]) area++;
    if (g.regions && regionsMakeMask(g.mask, g.regions, division)) return { index, score: g.score, pixels: area, regions: [...g.regions], mask: null };
    const png = maskPng(g.mask, width, height);
    pngs.push(png);
    const mask: [number, number] = [offset, png.length];
    offset += png.length;
    return { index, score: g.score, pixels: area, regions: null, mask };
  });
  const masksPng = new Uint8Array(offset);
  let at = 0;
  for (const png of pngs) {
    masksPng.set(png, at);
    at += png.length;
  }
  return { groups: infos, total: groups.length, masksPng };
}
