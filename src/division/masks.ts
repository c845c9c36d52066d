import type { Division } from "../types";

/** Options of {@link masksDivision}. */
export interface MasksOptions {
  /** δ: masks whose area fraction is not above δ (after overlaps are removed) are dropped (default 0.001). */
  readonly delta?: number;
}

/**
 * masks(list, δ) — LIMA Algorithm 2, for Segment-Anything style output: for every overlapping
 * pair remove the intersection from the larger mask; keep masks whose area fraction > δ; the
 * pixels left uncovered form one extra region (when there are any).
 */
export function masksDivision(masks: readonly Uint8Array[], width: number, height: number, options: MasksOptions = {}): Division {
  const delta = options.delta ?? 0.001;
  const n = width * height;
  if (!(delta >= 0 && delta < 1)) throw new RangeError(`masks delta ${delta} is not allowed: use 0 ≤ δ < 1`);
  masks.forEach((m, i) => {
    if (m.length !== n) throw new RangeError(`mask ${i} has ${m.length} values; a ${width}×${height} image needs ${n}`);
  });
  const work = masks.map((m) => Uint8Array.from(m, (v) => (v ? 1 : 0)));
  const area = work.map((m) => m.reduce((s, v) => s + v, 0));
  for (let i = 0; i < work.length; i++) {
    for (let j = i + 1; j < work.length; j++) {
      const larger = area[i] >= area[j] ? i : j;
      const smaller = larger === i ? j : i;
      for (let p = 0; p < n; p++) {
        if (work[larger][p] && work[smaller][p]) {
          work[larger][p] = 0;
          area[larger]--;
        }
      }
    }
  }
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
