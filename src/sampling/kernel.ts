import type { Random } from "../util/random";

/**
 * Cumulative distribution of coalition sizes s = 1..m−1 under the Shapley kernel
 * π(S) ∝ (m − 1) / (C(m, s)·s·(m − s)) (Lundberg & Lee 2017; FastSHAP's p(S)): the total mass of
 * size s is ∝ 1/(s(m − s)). `cdf[s]` = P(size ≤ s); cdf[0] = 0.
 */
export function shapleyKernelSizes(m: number): Float64Array {
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`regions ${m} is not allowed: the Shapley kernel needs an integer ≥ 2`);
  const cdf = new Float64Array(m);
  let total = 0;
  for (let s = 1; s < m; s++) total += 1 / (s * (m - s));
  let acc = 0;
  for (let s = 1; s < m; s++) cdf[s] = acc += 1 / (s * (m - s)) / total;
  cdf[m - 1] = 1;
  return cdf;
}

/** A uniform subset of exactly `size` of `m` regions (partial Fisher–Yates). */
export function uniformSubset(m: number, size: number, random: Random): Uint8Array {
  const order = Array.from({ length: m }, (_, i) => i);
  const z = new Uint8Array(m);
  for (let i = 0; i < size; i++) {
    const j = i + random.int(m - i);
    [order[i], order[j]] = [order[j], order[i]];
    z[order[i]] = 1;
  }
  return z;
}

/** `count` coalitions ∝ the Shapley kernel: a size from {@link shapleyKernelSizes}, then a uniform subset of that size. */
export function shapleyKernelSubsets(m: number, count: number, random: Random): Uint8Array[] {
  const cdf = shapleyKernelSizes(m);
  return Array.from({ length: count }, () => {
    const u = random.next();
    let s = 1;
    while (s < m - 1 && cdf[s] < u) s++;
    return uniformSubset(m, s, random);
  });
}
