import assert from "node:assert/strict";
import { test } from "node:test";
import {
  binomial, deletionError, fitExponential, groupedDeletionError, groupedInsertionError, insertionError,
  minBinomialInsertionError, minMonomialDeletionError, monomial, totalError, type SetFunction,
} from "../../src/methods/sop/theory";

// A 3-feature toy: f = 0.5·[0 present] + 0.3·[1 and 2 present]; written out as a table.
const table: Record<number, number> = { 0b000: 0, 0b001: 0.5, 0b010: 0, 0b100: 0, 0b011: 0.5, 0b101: 0.5, 0b110: 0.3, 0b111: 0.8 };
const toy: SetFunction = (mask) => table[mask];
const alpha = [0.5, 0.1, 0.2];
const near = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, msg ?? `${a} ≠ ${b}`);

test("deletionError(f, d, α, S) on the 3-feature toy matches the hand-computed Definition 1 values", () => {
  // Removing {1}: 0.8 − f({0,2}) − α1 = 0.8 − 0.5 − 0.1 = 0.2; removing {0,1}: 0.8 − 0 − 0.6 = 0.2.
  near(deletionError(toy, 3, alpha, 0b010), 0.2);
  near(deletionError(toy, 3, alpha, 0b011), 0.2);
  near(deletionError(toy, 3, alpha, 0b001), 0);
  // By hand over all 8 subsets: 0 + 0 + .2 + .1 + .2 + .1 + 0 + 0.
  near(totalError(3, (s) => deletionError(toy, 3, alpha, s)), 0.6);
});

test("insertionError(f, α, S) on the toy matches Definition 3 by hand (total 0.6)", () => {
  near(insertionError(toy, alpha, 0b100), 0.2);
  near(insertionError(toy, alpha, 0b101), 0.2);
  near(totalError(3, (s) => insertionError(toy, alpha, s)), 0.6);
});

test("the grouped attribution {({0}, .5), ({1,2}, .3)} has zero grouped error on the toy; α does not", () => {
  const groups = [{ mask: 0b001, score: 0.5 }, { mask: 0b110, score: 0.3 }];
  near(totalError(3, (s) => groupedDeletionError(toy, 3, groups, s)), 0);
  near(totalError(3, (s) => groupedInsertionError(toy, groups, s)), 0);
  // Per-feature scores of the same numbers leave error: the pair only counts together.
  assert.ok(totalError(3, (s) => deletionError(toy, 3, [0.5, 0.15, 0.15], s)) > 0.2);
});

/** Minimum of Σ_S |c_S − M_S·α| by brute force: every vertex of the hyperplane arrangement (d independent rows solved exactly). */
function bruteForceMinimum(d: number, target: (s: number) => number): number {
  const rows = Array.from({ length: 2 ** d - 1 }, (_, i) => i + 1);
  const objective = (a: number[]) => {
    let e = 0;
    for (let s = 0; s < 2 ** d; s++) {
      let sum = 0;
      for (let i = 0; i < d; i++) if ((s >> i) & 1) sum += a[i];
      e += Math.abs(target(s) - sum);
    }
    return e;
  };
  let best = objective(new Array(d).fill(0));
  const choose = (start: number, picked: number[]) => {
    if (picked.length === d) {
      // Solve M α = c for the picked subsets by Gaussian elimination with partial pivoting.
      const A = picked.map((s) => [...Array.from({ length: d }, (_, i) => (s >> i) & 1), target(s)]);
      for (let c = 0; c < d; c++) {
        let p = c;
        for (let r = c + 1; r < d; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
        if (Math.abs(A[p][c]) < 1e-12) return;
        [A[c], A[p]] = [A[p], A[c]];
        for (let r = 0; r < d; r++) if (r !== c) {
          const f = A[r][c] / A[c][c];
          for (let k = c; k <= d; k++) A[r][k] -= f * A[c][k];
        }
      }
      best = Math.min(best, objective(A.map((row, i) => row[d] / row[i])));
      return;
    }
    for (let i = start; i < rows.length; i++) choose(i + 1, [...picked, rows[i]]);
  };
  choose(0, []);
  return best;
}

test("minMonomialDeletionError(d) equals a brute-force vertex search for d = 1..4", () => {
  for (let d = 1; d <= 4; d++) {
    const all = 2 ** d - 1;
    const f = monomial(d);
    // Deletion at x = 1: c_S = f(all) − f(all ∖ S).
    const brute = bruteForceMinimum(d, (s) => f(all) - f(all & ~s));
    near(minMonomialDeletionError(d).error, brute, `d = ${d}: ${minMonomialDeletionError(d).error} vs brute force ${brute}`);
  }
});

test("minBinomialInsertionError(3) equals the brute-force vertex search; the grouped attribution has zero error", () => {
  const f = binomial(3);
  const brute = bruteForceMinimum(3, (s) => f(s) - f(0));
  near(minBinomialInsertionError(3).error, brute);
  assert.ok(brute > 0);
  // Corollary 1: groups S1∪S2 and S2∪S3 with score 1 each.
  const groups = [{ mask: 0b011, score: 1 }, { mask: 0b110, score: 1 }];
  near(totalError(3, (s) => groupedInsertionError(f, groups, s)), 0);
});

test("Figure 2a: the monomial minimum grows like the paper's fit exp(0.664 d − 1.159), and the one-group attribution stays at 0", () => {
  const points = Array.from({ length: 13 }, (_, i) => ({ d: i + 8, error: minMonomialDeletionError(i + 8).error }));
  for (const p of points) {
    const paper = Math.exp(0.664 * p.d - 1.159);
    assert.ok(Math.abs(p.error - paper) / paper < 0.1, `d = ${p.d}: ${p.error} vs paper fit ${paper}`);
  }
  const fit = fitExponential(points);
  assert.ok(Math.abs(fit.gamma1 - 0.664) < 0.05, `γ1 ${fit.gamma1}`);
  for (const d of [4, 8, 12]) {
    const f = monomial(d);
    near(totalError(d, (s) => groupedDeletionError(f, d, [{ mask: 2 ** d - 1, score: 1 }], s)), 0);
  }
});

test("Figure 2b: the binomial minimum insertion error grows with d", () => {
  const errors = [3, 6, 9, 12, 15].map((d) => minBinomialInsertionError(d).error);
  for (let i = 1; i < errors.length; i++) assert.ok(errors[i] > errors[i - 1] * 1.5, `${errors}`);
});

test("bad dimensions are refused with the allowed range", () => {
  assert.throws(() => binomial(4), /binomial d 4 is not allowed: use a multiple of 3/);
  assert.throws(() => minMonomialDeletionError(0), /d 0 is not allowed/);
  assert.throws(() => totalError(30, () => 0), /d 30 is not allowed: use an integer in 1\.\.24/);
});
