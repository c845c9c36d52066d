/**
 * Class buckets: SALVAGE fits φ± over the classifier's classes; with C = 1000 we keep the top-k
 * classes of the unmasked image (the target always among them) and pool the rest into one
 * "other" bucket whose probability is 1 − Σ top-k.
 */

/** Which classes get their own bucket; `other` says whether a pooled bucket follows them. */
export interface Buckets {
  readonly classes: readonly number[];
  readonly other: boolean;
}

/** The top-k classes of `probs` (ties: lower index first), with `target` replacing the last when it is not among them. */
export function chooseBuckets(probs: ArrayLike<number>, k: number, target: number): Buckets {
  const C = probs.length;
  if (!Number.isInteger(target) || target < 0 || target >= C) throw new RangeError(`target ${target} is not allowed: use a class index in 0..${C - 1}`);
  const kk = Math.min(Math.max(1, k), C);
  const ranked = Array.from({ length: C }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  const classes = ranked.slice(0, kk);
  if (!classes.includes(target)) classes[kk - 1] = target;
  return { classes, other: kk < C };
}

/** The bucket probabilities of one model output (other = max(0, 1 − Σ kept)), renormalised to sum 1. */
export function bucketProbs(b: Buckets, probs: ArrayLike<number>): Float64Array {
  const K = b.classes.length + (b.other ? 1 : 0);
  const out = new Float64Array(K);
  let s = 0;
  b.classes.forEach((c, j) => (s += out[j] = probs[c]));
  if (b.other) s += out[K - 1] = Math.max(0, 1 - s);
  if (s > 0) for (let j = 0; j < K; j++) out[j] /= s;
  return out;
}
