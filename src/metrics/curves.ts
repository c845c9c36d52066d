import type { ScoreTerms } from "../score/submodular";

/** A curve with its area under it. */
export interface Curve {
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly auc: number;
}

/** Highest confidence reached within an area budget (LIMA eq. 15). */
export interface HighestConfidence {
  readonly score: number;
  /** The revealed area fraction where the score is first reached. */
  readonly area: number;
}

/** Area under a curve by the trapezoid rule. */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/** Cumulative area fractions of the regions in order, starting at 0 (|V| + 1 points). */
export function cumulativeAreas(order: readonly number[], areas: ArrayLike<number>): number[] {
  const x = [0];
  for (const r of order) x.push(x[x.length - 1] + areas[r]);
  x[x.length - 1] = 1;
  return x;
}

/** Default area budgets of the highest-confidence metric. */
export const CONFIDENCE_RANGES = [0.25, 0.5, 0.75, 1] as const;

/**
 * Highest confidence (LIMA eq. 15): for each budget p, the largest insertion y among points whose
 * revealed area x ≤ p, and the area where it is first reached.
 */
export function highestConfidence(
  curve: { readonly x: readonly number[]; readonly y: readonly number[] },
  ranges: readonly number[] = CONFIDENCE_RANGES,
): Record<string, HighestConfidence> {
  const out: Record<string, HighestConfidence> = {};
  for (const p of ranges) {
    let best: HighestConfidence = { score: -Infinity, area: 0 };
    for (let i = 0; i < curve.x.length; i++) {
      if (curve.x[i] <= p + 1e-12 && curve.y[i] > best.score) best = { score: curve.y[i], area: curve.x[i] };
    }
    out[String(p)] = best;
  }
  return out;
}

/**
 * LIMA eq. 11: a_1 = b_base, a_i = a_{i−1} − |(s_cons(S[i]) + s_colla(S[i])) − (s_cons(S[i−1]) + s_colla(S[i−1]))|,
 * min-max normalised to [0, 1] (b_base cancels; a constant sequence maps to all ones).
 * `prefix[i]` holds s_cons + s_colla of the first i regions (prefix[0] for ∅). Returns one value
 * per order position.
 */
export function importanceValues(prefix: readonly number[]): number[] {
  const m = prefix.length - 1;
  const a = new Array<number>(m).fill(0);
  for (let i = 2; i <= m; i++) a[i - 1] = a[i - 2] - Math.abs(prefix[i] - prefix[i - 1]);
  const min = Math.min(...a);
  const max = Math.max(...a);
  return a.map((v) => (max > min ? (v - min) / (max - min) : 1));
}

/** The terms of each prefix S[i] of the order that the search evaluated, when it is S_fwd-only. */
export type PrefixTerms = readonly (ScoreTerms | undefined)[];
