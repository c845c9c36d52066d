/** Options of {@link weightedLeastSquares}. */
export interface LeastSquaresOptions {
  /** Penalty λ·‖β‖² on the coefficients, never on the intercept (default 0). */
  readonly ridge?: number;
  /** Fit an intercept (default true); without one, the returned intercept is 0. */
  readonly intercept?: boolean;
}

/**
 * Weighted least squares, optionally with an intercept and a ridge penalty, by normal equations and
 * Gaussian elimination with partial pivoting (small systems: one unknown per region).
 */
export function weightedLeastSquares(rows: readonly Float64Array[], y: readonly number[], weights: readonly number[], options: LeastSquaresOptions = {}): { intercept: number; coefficients: Float64Array } {
  const m = rows[0]?.length ?? 0;
  const lead = options.intercept ?? true ? 1 : 0;
  const k = m + lead;
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  const x = new Float64Array(k);
  for (let r = 0; r < rows.length; r++) {
    if (lead) x[0] = 1;
    x.set(rows[r], lead);
    const w = weights[r];
    for (let i = 0; i < k; i++) {
      b[i] += w * x[i] * y[r];
      for (let j = i; j < k; j++) A[i * k + j] += w * x[i] * x[j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) A[i * k + j] = A[j * k + i];
  for (let i = lead; i < k; i++) A[i * k + i] += options.ridge ?? 0;
  for (let i = 0; i < k; i++) A[i * k + i] += 1e-10;
  const solution = solve(A, b, k);
  return { intercept: lead ? solution[0] : 0, coefficients: solution.subarray(lead) };
}

function solve(A: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(A[r * k + col]) > Math.abs(A[pivot * k + col])) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < k; c++) [A[col * k + c], A[pivot * k + c]] = [A[pivot * k + c], A[col * k + c]];
      [b[col], b[pivot]] = [b[pivot], b[col]];
    }
    const d = A[col * k + col];
    for (let r = col + 1; r < k; r++) {
      const f = A[r * k + col] / d;
      if (f === 0) continue;
      for (let c = col; c < k; c++) A[r * k + c] -= f * A[col * k + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < k; c++) s -= A[r * k + c] * x[c];
    x[r] = s / A[r * k + r];
  }
  return x;
}
