/**
 * Sparsemax (Martins & Astudillo 2016), the sparse attention of SOP eqs. 2–3: the Euclidean
 * projection of a score vector onto the probability simplex; many outputs are exactly 0.
 */

/** sparsemax(a) written into `out` (same length); returns the threshold τ. */
export function sparsemax(a: ArrayLike<number>, out: Float64Array = new Float64Array(a.length)): number {
  const n = a.length;
  if (n === 0) throw new RangeError("sparsemax of an empty vector is not defined");
  const z = Array.from(a).sort((x, y) => y - x);
  let cumulative = 0;
  let k = 0;
  let sumK = 0;
  for (let i = 0; i < n; i++) {
    cumulative += z[i];
    if (1 + (i + 1) * z[i] > cumulative) {
      k = i + 1;
      sumK = cumulative;
    }
  }
  const tau = (sumK - 1) / k;
  for (let i = 0; i < n; i++) out[i] = Math.max(a[i] - tau, 0);
  return tau;
}

/**
 * The vector–Jacobian product of sparsemax: given the output c and the gradient g with respect
 * to c, the gradient with respect to the scores is s ⊙ (g − mean_{j: c_j > 0} g_j), s = [c > 0].
 */
export function sparsemaxBackward(c: ArrayLike<number>, g: ArrayLike<number>, out: Float64Array = new Float64Array(c.length)): Float64Array {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < c.length; i++) if (c[i] > 0) {
    sum += g[i];
    count++;
  }
  const mean = count ? sum / count : 0;
  for (let i = 0; i < c.length; i++) out[i] = c[i] > 0 ? g[i] - mean : 0;
  return out;
}
