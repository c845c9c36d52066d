import type { Division } from "../types";
import { checkSize } from "./check";

/** Options of {@link masksDivision}. */
export interface MasksOptions {
  /**
   * δ: a mask is kept only if its area fraction, after overlaps are removed, is above δ
   * (default 0.001, i.e. about 50 pixels of a 224×224 image; 0 keeps every non-empty mask).
   */
  readonly delta?: number;
}

/** A mask's bounding box, inclusive; empty masks have x0 > x1. */
interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * masks(list, δ) — LIMA Algorithm 2, for Segment-Anything style output (METHOD.md §2): for every
 * pair i < j in list order, the intersection is removed from the larger mask (on equal areas from
 * mask j, as the paper's `if sum(V[i]) > sum(V[j])` does), areas being updated as it goes; masks
 * whose area fraction is then above δ are kept, as regions 0.. in list order; the pixels no kept
 * mask covers (dropped masks' pixels included, unlike the paper's pseudo-code, so the division
 * covers the image) form one extra, last region when there are any. Non-zero mask values count
 * as inside. Regions need not be connected.
 */
export function masksDivision(masks: readonly Uint8Array[], width: number, height: number, options: MasksOptions = {}): Division {
  const delta = options.delta ?? 0.001;
  checkSize("masks image", width, height);
  const n = width * height;
  if (!(delta >= 0 && delta < 1)) throw new RangeError(`masks delta ${delta} is not allowed: use a number with 0 ≤ δ < 1`);
  if (!Array.isArray(masks)) throw new TypeError(`masks must be an array of Uint8Array (one per mask), got ${typeof masks}`);
  masks.forEach((m, i) => {
    if (!(m instanceof Uint8Array)) throw new TypeError(`mask ${i} is not a Uint8Array: use one 0/1 byte per pixel`);
    if (m.length !== n) throw new RangeError(`mask ${i} has ${m.length} values; a ${width}×${height} image needs ${n}`);
  });
  const work = masks.map(binary);
  const area = work.map(countOnes);
  const boxes = work.map((m) => boundingBox(m, width));
  for (let i = 0; i < work.length; i++) {
    for (let j = i + 1; j < work.length; j++) {
      const loser = area[i] > area[j] ? i : j;
      area[loser] -= removeIntersection(work[loser], work[loser === i ? j : i], overlap(boxes[i], boxes[j]), width);
    }
  }
  return assemble(work, area, width, height, delta);
}

/** Labels: kept masks in list order, then the uncovered remainder. */
function assemble(work: Uint8Array[], area: number[], width: number, height: number, delta: number): Division {
  const n = width * height;
  const labels = new Int32Array(n).fill(-1);
  let count = 0;
  work.forEach((m, i) => {
    if (area[i] / n <= delta) return;
    for (let p = 0; p < n; p++) if (m[p]) labels[p] = count;
    count++;
  });
  if (labels.includes(-1)) {
    for (let p = 0; p < n; p++) if (labels[p] < 0) labels[p] = count;
    count++;
  }
  return { width, height, labels, count, method: "masks" };
}

/** A 0/1 copy of a mask (non-zero → 1). */
function binary(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) out[p] = mask[p] ? 1 : 0;
  return out;
}

function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let p = 0; p < mask.length; p++) n += mask[p];
  return n;
}

function boundingBox(mask: Uint8Array, width: number): Box {
  const box = { x0: width, y0: Infinity, x1: -1, y1: -1 };
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const x = p % width, y = (p - x) / width;
    if (x < box.x0) box.x0 = x;
    if (x > box.x1) box.x1 = x;
    if (y < box.y0) box.y0 = y;
    box.y1 = y;
  }
  return box;
}

function overlap(a: Box, b: Box): Box {
  return { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
}

/** Clears from `from` every pixel of `box` that `other` also covers; returns how many were cleared. Boxes only shrink, so the original boxes stay valid bounds. */
function removeIntersection(from: Uint8Array, other: Uint8Array, box: Box, width: number): number {
  let removed = 0;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0, p = y * width + x; x <= box.x1; x++, p++) {
      if (from[p] && other[p]) {
        from[p] = 0;
        removed++;
      }
    }
  }
  return removed;
}
