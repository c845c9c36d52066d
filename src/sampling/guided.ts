import type { Random } from "../util/random";

/** Which half of Algorithm 3 a draw belongs to: weights φ_norm ("most") or 1 − φ_norm ("least"). */
export type GuidedHalf = "most" | "least";

/** A description of the attribution-guided sampler, for reports. */
export const GUIDED_SAMPLER = "SALVAGE Algorithm 3: half the coalitions keep m ~ U{1..|V|} regions drawn without replacement ∝ φ_norm, half ∝ 1 − φ_norm";

/**
 * Min-max normalisation φ_norm = (φ − min φ)/(max φ − min φ) (SALVAGE Algorithm 3, lines 1–3).
 * When every φ is equal (e.g. before anything is estimated) all weights are 1: the draw is uniform.
 */
export function minMaxNormalise(phi: ArrayLike<number>): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < phi.length; i++) {
    if (!Number.isFinite(phi[i])) throw new RangeError(`importance ${phi[i]} at region ${i} is not allowed: use finite numbers`);
    lo = Math.min(lo, phi[i]);
    hi = Math.max(hi, phi[i]);
  }
  const out = new Float64Array(phi.length);
  for (let i = 0; i < phi.length; i++) out[i] = hi > lo ? (phi[i] - lo) / (hi - lo) : 1;
  return out;
}

/**
 * Draws `size` distinct indices without replacement, each next one with probability ∝ its weight
 * among those left (successive sampling, as numpy's choice(replace=False, p=…)). When the weights
 * left are all zero, the rest are drawn uniformly among those left: the paper's min-max weights
 * give the least important region weight 0, yet Algorithm 3 may ask for all |V| regions.
 */
export function weightedDraw(weights: ArrayLike<number>, size: number, random: Random): Uint8Array {
  const m = weights.length;
  if (!Number.isInteger(size) || size < 0 || size > m) throw new RangeError(`size ${size} is not allowed: use an integer in 0..${m}`);
  const z = new Uint8Array(m);
  for (let k = 0; k < size; k++) {
    let total = 0;
    for (let i = 0; i < m; i++) if (!z[i]) total += weights[i];
    let pick = -1;
    if (total > 0) {
      let u = random.next() * total;
      for (let i = 0; i < m; i++) {
        if (z[i] || weights[i] <= 0) continue;
        pick = i;
        u -= weights[i];
        if (u < 0) break;
      }
    } else {
      let j = random.int(m - k);
      for (let i = 0; i < m; i++) {
        if (z[i]) continue;
        if (j-- === 0) {
          pick = i;
          break;
        }
      }
    }
    z[pick] = 1;
  }
  return z;
}

/**
 * Attribution-guided sampling (SALVAGE §4.2, Algorithm 3). The first ⌈count/2⌉ coalitions: a size
 * m ~ U{1..|V|}, then m regions drawn without replacement with weights φ_norm; the other ⌊count/2⌋:
 * the same with weights 1 − φ_norm. The drawn regions are the KEPT ones (1 in the coalition); the
 * rest are masked — our reading of "prioritizing the most informative regions from the image".
 * Returns the coalitions and, per coalition, which half drew it.
 */
export function guidedSubsets(phi: ArrayLike<number>, count: number, random: Random): { coalitions: Uint8Array[]; halves: GuidedHalf[] } {
  const m = phi.length;
  if (m < 1) throw new RangeError("guided sampling needs at least 1 region");
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count ${count} is not allowed: use an integer ≥ 0`);
  const most = minMaxNormalise(phi);
  const least = most.map((w) => 1 - w);
  // With all φ equal, φ_norm = 1 everywhere and 1 − φ_norm = 0: both halves are uniform.
  const coalitions: Uint8Array[] = [], halves: GuidedHalf[] = [];
  const first = Math.ceil(count / 2);
  for (let k = 0; k < count; k++) {
    const half: GuidedHalf = k < first ? "most" : "least";
    const size = 1 + random.int(m);
    coalitions.push(weightedDraw(half === "most" ? most : least, size, random));
    halves.push(half);
  }
  return { coalitions, halves };
}
