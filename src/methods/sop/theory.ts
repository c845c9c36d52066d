/**
 * The faithfulness errors of Sum-of-Parts §2 and Appendix A on Boolean functions, and the exact
 * minimum errors that any per-feature attribution incurs on monomials and binomials
 * (Theorems 1–2, Figure 2), next to the zero error of a grouped attribution (Corollary 1).
 *
 * Features are bits of a mask: subset S of {0..d−1} is the integer whose bit i is set when i ∈ S.
 */

/** A set function f: subsets of {0..d−1} (as bit masks) → ℝ; f(mask) is the model on x with only `mask`'s features kept. */
export type SetFunction = (mask: number) => number;

/** A grouped attribution (Definition 2): groups as bit masks with their scores. */
export interface BitGroup {
  readonly mask: number;
  readonly score: number;
}

function popSum(alpha: ArrayLike<number>, mask: number): number {
  let s = 0;
  for (let i = 0; mask >> i; i++) if ((mask >> i) & 1) s += alpha[i];
  return s;
}

function checkDimension(d: number, max = 24): void {
  if (!Number.isInteger(d) || d < 1 || d > max) throw new RangeError(`d ${d} is not allowed: use an integer in 1..${max} (the errors sum over all 2^d subsets)`);
}

/**
 * Deletion error (Definition 1, eq. 1) of a feature attribution α when the features of S are
 * removed from the all-present input: |f(all) − f(all ∖ S) − Σ_{i∈S} α_i|.
 */
export function deletionError(f: SetFunction, d: number, alpha: ArrayLike<number>, s: number): number {
  const all = 2 ** d - 1;
  return Math.abs(f(all) - f(all & ~s) - popSum(alpha, s));
}

/** Insertion error (Definition 3): |f(S) − f(∅) − Σ_{i∈S} α_i|, features of S inserted into the empty input. */
export function insertionError(f: SetFunction, alpha: ArrayLike<number>, s: number): number {
  return Math.abs(f(s) - f(0) - popSum(alpha, s));
}

/**
 * Grouped deletion error (Definition 4, as the paper's prose and Corollary 1 read it): a group
 * contributes only while all its features are present, so removing S takes away the score of
 * every group that S breaks (S ∩ S_i ≠ ∅). (Eq. 10 writes the condition as S ⊆ S_i, which would
 * charge the score even for S = ∅ and contradicts Corollary 1; docs/SOP.md says why we depart.)
 */
export function groupedDeletionError(f: SetFunction, d: number, groups: readonly BitGroup[], s: number): number {
  const all = 2 ** d - 1;
  const lost = groups.reduce((sum, g) => sum + ((g.mask & s) !== 0 ? g.score : 0), 0);
  return Math.abs(f(all) - f(all & ~s) - lost);
}

/** Grouped insertion error (Definition 5, prose reading): inserting S adds the groups it completes (S_i ⊆ S). */
export function groupedInsertionError(f: SetFunction, groups: readonly BitGroup[], s: number): number {
  const gained = groups.reduce((sum, g) => sum + ((g.mask & ~s) === 0 ? g.score : 0), 0);
  return Math.abs(f(s) - f(0) - gained);
}

/** Total error over every subset of {0..d−1} (the sums below Definitions 1 and 3–5). */
export function totalError(d: number, error: (s: number) => number): number {
  checkDimension(d);
  let total = 0;
  for (let s = 0; s < 2 ** d; s++) total += error(s);
  return total;
}

/** The monomial p(x) = Π x_i as a set function: 1 only when every feature is present. */
export function monomial(d: number): SetFunction {
  const all = 2 ** d - 1;
  return (mask) => (mask === all ? 1 : 0);
}

/** The binomial of Theorem 2: blocks S1, S2, S3 of d/3 features each, p = Π_{S1∪S2} x + Π_{S2∪S3} x. */
export function binomial(d: number): SetFunction {
  const { left, right } = binomialBlocks(d);
  return (mask) => ((mask & left) === left ? 1 : 0) + ((mask & right) === right ? 1 : 0);
}

/** The two monomials' supports S1∪S2 and S2∪S3 of the Theorem 2 binomial, as bit masks. */
export function binomialBlocks(d: number): { left: number; right: number } {
  if (!Number.isInteger(d) || d < 3 || d % 3 !== 0) throw new RangeError(`binomial d ${d} is not allowed: use a multiple of 3, ≥ 3 (three equal blocks)`);
  const m = d / 3;
  const block = (b: number) => (2 ** m - 1) * 2 ** (b * m);
  return { left: block(0) + block(1), right: block(1) + block(2) };
}

function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * The least total deletion error any feature attribution can have on the d-variable monomial at
 * x = 1 (Theorem 1, Figure 2a), computed exactly: the objective Σ_{S≠∅} |1 − Σ_{i∈S} α_i| is convex
 * and symmetric under permuting features, so averaging an optimum over permutations gives an
 * optimum with all α_i = a; the remaining 1-D function Σ_j C(d, j)·|1 − j·a| is piecewise linear
 * with breakpoints a = 1/k, and its minimum is at one of them. Returns the error and the a reached.
 */
export function minMonomialDeletionError(d: number): { error: number; alpha: number } {
  checkDimension(d, 60);
  let best = { error: Infinity, alpha: 0 };
  for (let k = 1; k <= d; k++) {
    let e = 0;
    for (let j = 1; j <= d; j++) e += binom(d, j) * Math.abs(1 - j / k);
    if (e < best.error - 1e-9) best = { error: e, alpha: 1 / k };
  }
  return best;
}

/**
 * The least total insertion error any feature attribution can have on the Theorem 2 binomial at
 * x = 1 (Figure 2b), exactly. By the same symmetry argument the optimum can take one value a on
 * S1 ∪ S3 (swapping S1 and S3 leaves p unchanged) and b on S2. With k1, k2, k3 features of each
 * block inserted, the error is |(k1 + k3)·a + k2·b − c| with c = [k1 = k2 = m] + [k2 = k3 = m],
 * counted C(m,k1)·C(m,k2)·C(m,k3) times. That 2-D convex piecewise-linear function has its minimum
 * at a vertex where two break lines (k1+k3)·a + k2·b = c meet; every vertex is tried.
 */
export function minBinomialInsertionError(d: number): { error: number; a: number; b: number } {
  binomialBlocks(d);
  if (d > 45) throw new RangeError(`binomial d ${d} is not allowed: use a multiple of 3 up to 45`);
  const m = d / 3;
  // Terms grouped by (s = k1 + k3, k2, c) with their multiplicities.
  const terms = new Map<string, { s: number; k2: number; c: number; w: number }>();
  for (let k1 = 0; k1 <= m; k1++) {
    for (let k2 = 0; k2 <= m; k2++) {
      for (let k3 = 0; k3 <= m; k3++) {
        const c = (k1 === m && k2 === m ? 1 : 0) + (k2 === m && k3 === m ? 1 : 0);
        const key = `${k1 + k3},${k2},${c}`;
        const w = binom(m, k1) * binom(m, k2) * binom(m, k3);
        const t = terms.get(key);
        if (t) t.w += w;
        else terms.set(key, { s: k1 + k3, k2, c, w });
      }
    }
  }
  const list = [...terms.values()];
  const objective = (a: number, b: number) => list.reduce((sum, t) => sum + t.w * Math.abs(t.s * a + t.k2 * b - t.c), 0);
  const lines = list.filter((t) => t.s !== 0 || t.k2 !== 0);
  let best = { error: objective(0, 0), a: 0, b: 0 };
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const p = lines[i];
      const q = lines[j];
      const det = p.s * q.k2 - p.k2 * q.s;
      if (det === 0) continue;
      const a = (p.c * q.k2 - p.k2 * q.c) / det;
      const b = (p.s * q.c - p.c * q.s) / det;
      const e = objective(a, b);
      if (e < best.error - 1e-9) best = { error: e, a, b };
    }
  }
  return best;
}

/**
 * Least-squares fit of y = exp(γ1·d + γ0) + offset to measured minima (the paper fits log y
 * linearly, with a grid search over the offset for Figure 2b). `offsets` are the candidate
 * offsets (default [0]: a pure exponential); the one with the smallest squared log error wins.
 */
export function fitExponential(points: readonly { d: number; error: number }[], offsets: readonly number[] = [0]): { gamma1: number; gamma0: number; offset: number; relativeError: number } {
  let best = { gamma1: 0, gamma0: 0, offset: 0, relativeError: Infinity, sse: Infinity };
  for (const offset of offsets) {
    if (points.length < 2 || points.some((p) => p.error - offset <= 0)) continue;
    const usable = points;
    const xs = usable.map((p) => p.d);
    const ys = usable.map((p) => Math.log(p.error - offset));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    const gamma1 = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx;
    const gamma0 = my - gamma1 * mx;
    const sse = xs.reduce((a, x, i) => a + (ys[i] - (gamma1 * x + gamma0)) ** 2, 0);
    const relativeError = points.reduce((a, p) => a + Math.abs(Math.exp(gamma1 * p.d + gamma0) + offset - p.error) / p.error, 0) / points.length;
    if (sse < best.sse) best = { gamma1, gamma0, offset, relativeError, sse };
  }
  const { sse: _sse, ...fit } = best;
  return fit;
}
