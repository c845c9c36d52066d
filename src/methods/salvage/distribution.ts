/**
 * The Shapley distribution of SALVAGE (eq. 4): for a coalition S of regions,
 * u(S) = softmax(Σ_{i∈S} φ⁺_i + Σ_{i∉S} φ⁻_i), with φ⁺_i, φ⁻_i ∈ R^K (one value per class
 * bucket), fitted to the classifier's prediction v(S) by minimising the Jensen–Shannon divergence
 * (eq. 5) with a hand-written, seeded Adam.
 */
import type { Random } from "../../util/random";

/** φ⁺ and φ⁻ of every region for every bucket, row-major [region][bucket]. */
export interface ShapleyDistribution {
  readonly regions: number;
  readonly buckets: number;
  readonly plus: Float64Array;
  readonly minus: Float64Array;
}

/** One training pair: a coalition (1 = region kept) and the classifier's bucket probabilities v(S). */
export interface DistributionSample {
  readonly coalition: Uint8Array;
  readonly target: Float64Array;
}

/** A zero distribution (u = uniform for every S). */
export function zeroDistribution(regions: number, buckets: number): ShapleyDistribution {
  return { regions, buckets, plus: new Float64Array(regions * buckets), minus: new Float64Array(regions * buckets) };
}

/** The logits Σ_{i∈S} φ⁺_i + Σ_{i∉S} φ⁻_i of eq. 4. */
export function surrogateLogits(d: ShapleyDistribution, coalition: ArrayLike<number>, out = new Float64Array(d.buckets)): Float64Array {
  out.fill(0);
  const K = d.buckets;
  for (let i = 0; i < d.regions; i++) {
    const src = coalition[i] ? d.plus : d.minus;
    const o = i * K;
    for (let k = 0; k < K; k++) out[k] += src[o + k];
  }
  return out;
}

/** softmax in place, max-shifted. */
export function softmaxInPlace(x: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k] = Math.exp(x[k] - max);
  for (let k = 0; k < x.length; k++) x[k] /= s;
  return x;
}

/** u(S) of eq. 4. */
export function surrogate(d: ShapleyDistribution, coalition: ArrayLike<number>): Float64Array {
  return softmaxInPlace(surrogateLogits(d, coalition));
}

/** Jensen–Shannon divergence ½KL(u‖m) + ½KL(v‖m), m = (u + v)/2, natural log, 0·log 0 = 0. */
export function jsDivergence(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let js = 0;
  for (let k = 0; k < u.length; k++) {
    const m = (u[k] + v[k]) / 2;
    if (u[k] > 0) js += 0.5 * u[k] * Math.log(u[k] / m);
    if (v[k] > 0) js += 0.5 * v[k] * Math.log(v[k] / m);
  }
  return js;
}

/** φ = φ⁺ − φ⁻ of one bucket for every region (SALVAGE §4.1, "at test time"). */
export function importance(d: ShapleyDistribution, bucket: number): Float64Array {
  return Float64Array.from({ length: d.regions }, (_, i) => d.plus[i * d.buckets + bucket] - d.minus[i * d.buckets + bucket]);
}

/**
 * Removes, for every region, the mean over buckets of φ⁺_i and of φ⁻_i. The softmax is blind to a
 * per-region constant added to all buckets of φ⁺_i (or of φ⁻_i), so φ is only defined up to such a
 * constant; this fixes it (Σ_k φ_{i,k} = 0), making φ_c the Shapley value of the centred
 * log-probability log p_c − mean_k log p_k when the model is log-additive in the regions.
 */
export function centre(d: ShapleyDistribution): void {
  const K = d.buckets;
  for (const arr of [d.plus, d.minus]) {
    for (let i = 0; i < d.regions; i++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += arr[i * K + k];
      s /= K;
      for (let k = 0; k < K; k++) arr[i * K + k] -= s;
    }
  }
}

/** Settings of {@link fitDistribution}. */
export interface FitSettings {
  readonly epochs: number;
  readonly learningRate: number;
  /** Coalitions per Adam step. */
  readonly batch: number;
  readonly random: Random;
}

/** Adam's moment estimates, kept across calls so the fit continues between sampling rounds. */
export interface AdamState {
  readonly m: Float64Array;
  readonly v: Float64Array;
  step: number;
}

export function adamState(d: ShapleyDistribution): AdamState {
  return { m: new Float64Array(2 * d.regions * d.buckets), v: new Float64Array(2 * d.regions * d.buckets), step: 0 };
}

const BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8, LOG_EPS = 1e-12;

/**
 * Gradient of ½KL(u‖m)+½KL(v‖m) w.r.t. the logits l (u = softmax(l)): ∂JS/∂u_k = ½ log(u_k/m_k),
 * then through the softmax ∂/∂l_j = u_j (g_j − Σ_k u_k g_k). Writes into `grad`, returns JS.
 */
export function jsLogitGradient(logits: Float64Array, v: Float64Array, grad: Float64Array): number {
  const u = softmaxInPlace(Float64Array.from(logits));
  let mean = 0;
  for (let k = 0; k < u.length; k++) {
    const m = (u[k] + v[k]) / 2;
    grad[k] = 0.5 * Math.log((u[k] + LOG_EPS) / (m + LOG_EPS));
    mean += u[k] * grad[k];
  }
  for (let k = 0; k < u.length; k++) grad[k] = u[k] * (grad[k] - mean);
  return jsDivergence(u, v);
}

/**
 * Minimises the mean JS divergence between u(S) and v(S) over `samples` (eq. 5, the expectation
 * replaced by the sample mean) with minibatch Adam; φ⁺/φ⁻ are re-centred over buckets after every
 * step ({@link centre}). Returns the mean JS of the last epoch.
 */
export function fitDistribution(d: ShapleyDistribution, samples: readonly DistributionSample[], state: AdamState, s: FitSettings): number {
  const K = d.buckets, R = d.regions, n = samples.length;
  const P = R * K;
  const g = new Float64Array(2 * P);
  const logits = new Float64Array(K), gl = new Float64Array(K);
  const order = Array.from({ length: n }, (_, i) => i);
  let last = 0;
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = s.random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let total = 0;
    for (let start = 0; start < n; start += s.batch) {
      const end = Math.min(n, start + s.batch);
      g.fill(0);
      for (let b = start; b < end; b++) {
        const { coalition, target } = samples[order[b]];
        surrogateLogits(d, coalition, logits);
        total += jsLogitGradient(logits, target, gl);
        for (let i = 0; i < R; i++) {
          const o = (coalition[i] ? 0 : P) + i * K;
          for (let k = 0; k < K; k++) g[o + k] += gl[k];
        }
      }
      const scale = 1 / (end - start);
      state.step++;
      const c1 = 1 - BETA1 ** state.step, c2 = 1 - BETA2 ** state.step;
      for (let p = 0; p < 2 * P; p++) {
        const gp = g[p] * scale;
        state.m[p] = BETA1 * state.m[p] + (1 - BETA1) * gp;
        state.v[p] = BETA2 * state.v[p] + (1 - BETA2) * gp * gp;
        const delta = (s.learningRate * (state.m[p] / c1)) / (Math.sqrt(state.v[p] / c2) + EPS);
        if (p < P) d.plus[p] -= delta;
        else d.minus[p - P] -= delta;
      }
      centre(d);
    }
    last = total / Math.max(1, n);
  }
  return last;
}
