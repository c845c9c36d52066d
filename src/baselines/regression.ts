/**
 * Weighted least squares with an intercept and an optional ridge penalty, by normal equations and
 * Gaussian elimination with partial pivoting (small systems: one unknown per region).
 */
export function weightedLeastSquares(rows: readonly Float64Array[], y: readonly number[], weights: readonly number[], ridge = 0): { intercept: number; coefficients: Float64Array } {
  const m = rows[0]?.length ?? 0;
  const k = m + 1;
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let r = 0; r < rows.length; r++) {
    const x = [1, ...rows[r]];
    const w = weights[r];
    for (let i = 0; i < k; i++) {
      b[i] += w * x[i] * y[r];
      for (let j = i; j < k; j++) A[i * k + j] += w * x[i] * x[j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) A[i * k + j] = A[j * k + i];
  for (let i = 1; i < k; i++) A[i * k + i] += ridge;
  for (let i = 0; i < k; i++) A[i * k + i] += 1e-10;
  const solution = solve(A, b, k);
  return { intercept: solution[0], coefficients: solution.subarray(1) };
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
