/**
 * Learning the DSF from heat maps (SEA-NN §3.1, eq. 2) by projected subgradient descent with Adam
 * (supplement S3), weights clipped to ≥ 0 after every step:
 *
 *   min_{w ≥ 0}  λ/2‖w‖² + λ₁ Σ_i (f(H*) − f(H_i)) + λ₂ Σ_{i,j} (δ + max_{|A| ≤ B_i^j} f(A) − f(H_i^j))⁺
 *
 * H* is the all-ones map, H_i the m (pre-processed) heat maps in [0,1]ⁿ (heat-map-level
 * supervision), H_i^j their hard-thresholded versions with B_i^j features each (subset-level
 * supervision). The inner maximisation is the greedy algorithm, one call per step with the
 * largest B (its prefixes answer the smaller ones).
 */
import { type Dsf, dsfBackward, dsfForward, type DsfGradient, zeroGradient } from "./dsf";
import { greedyMaximize } from "./greedy";

/** Hyper-parameters of eq. 2 and its optimiser; defaults are the paper's ImageNet ones (supplement S3) except the learning rate, which it does not give. */
export interface TrainOptions {
  /** λ, the L2 penalty (default 1e-5). */
  readonly lambda?: number;
  /** λ₁, weight of the heat-map-level term (default 10). */
  readonly lambda1?: number;
  /** λ₂, weight of the subset-level hinge (default 0.01). */
  readonly lambda2?: number;
  /** δ, the hinge margin (default 1e-7). */
  readonly delta?: number;
  /** Epochs; one epoch is one subgradient step on the whole objective (default 20). */
  readonly epochs?: number;
  /** Adam step size (default 0.05; not given in the paper, chosen by measurement, see docs/SEA-NN.md). */
  readonly learningRate?: number;
  /** Adam's weight decay (default 1e-6, supplement S3). */
  readonly weightDecay?: number;
  /** Aborts between steps. */
  readonly signal?: AbortSignal;
  /** Called after each epoch with (epoch done, epochs). */
  readonly onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export const TRAIN_DEFAULTS = Object.freeze({ lambda: 1e-5, lambda1: 10, lambda2: 0.01, delta: 1e-7, epochs: 20, learningRate: 0.05, weightDecay: 1e-6 });

/** The supervision of one image (or, for a global map, of many images pooled). */
export interface Supervision {
  /** Heat maps H_i ∈ [0,1]ⁿ. */
  readonly maps: readonly Float64Array[];
  /** Binarised maps H_i^j as lists of selected features (empty ones are ignored). */
  readonly subsets: readonly (readonly number[])[];
}

/** What training did. */
export interface TrainReport {
  /** Objective of eq. 2 at each epoch (its data terms before the step, the L2 term after). */
  readonly losses: number[];
  readonly ms: number;
  /** Milliseconds per epoch (mean). */
  readonly msPerEpoch: number;
  /** DSF evaluations spent in the inner greedy maximisations. */
  readonly greedyEvaluations: number;
}

function indicator(n: number, set: readonly number[]): Float64Array {
  const x = new Float64Array(n);
  for (const v of set) x[v] = 1;
  return x;
}

/** Trains `dsf` in place on the supervision (eq. 2) and returns the loss curve and time. */
export function trainDsf(dsf: Dsf, supervision: Supervision, options: TrainOptions = {}): TrainReport {
  const o = { ...TRAIN_DEFAULTS, ...stripUndefined(options) };
  for (const k of ["lambda", "lambda1", "lambda2", "delta", "learningRate", "weightDecay"] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new RangeError(`${k} ${o[k]} is not allowed: use a finite number ≥ 0`);
  }
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new RangeError(`epochs ${o.epochs} is not allowed: use an integer ≥ 0`);
  const n = dsf.inputs;
  for (const h of supervision.maps) if (h.length !== n) throw new RangeError(`heat map has ${h.length} values; the DSF takes ${n}`);
  const subsets = supervision.subsets.filter((s) => s.length > 0);
  for (const s of subsets) for (const v of s) if (!(Number.isInteger(v) && v >= 0 && v < n)) throw new RangeError(`subset feature ${v} is not allowed: use 0..${n - 1}`);
  const ones = new Float64Array(n).fill(1);
  const subsetInputs = subsets.map((s) => indicator(n, s));
  const budget = subsets.reduce((m, s) => Math.max(m, s.length), 0);
  const m1: DsfGradient = zeroGradient(dsf), m2: DsfGradient = zeroGradient(dsf);
  const losses: number[] = [];
  let greedyEvaluations = 0;
  const t0 = performance.now();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error("aborted");
    const grad = zeroGradient(dsf);
    let loss = 0;
    // Heat-map-level term: λ₁ Σ_i (f(H*) − f(H_i)).
    const star = dsfForward(dsf, ones);
    loss += o.lambda1 * supervision.maps.length * star.value;
    dsfBackward(dsf, star, o.lambda1 * supervision.maps.length, grad);
    for (const h of supervision.maps) {
      const t = dsfForward(dsf, h);
      loss -= o.lambda1 * t.value;
      dsfBackward(dsf, t, -o.lambda1, grad);
    }
    // Subset-level term: λ₂ Σ (δ + f(Ā_B) − f(H_i^j))⁺ with Ā_B the greedy prefix of size B.
    if (subsets.length > 0 && o.lambda2 > 0) {
      const run = greedyMaximize(dsf, budget);
      greedyEvaluations += run.evaluations;
      const greedyValue = (b: number) => (b === 0 ? run.base : run.values[Math.min(b, run.values.length) - 1]);
      const prefixCoef = new Map<number, number>();
      subsets.forEach((s, k) => {
        const t = dsfForward(dsf, subsetInputs[k]);
        const hinge = o.delta + greedyValue(s.length) - t.value;
        if (hinge <= 0) return;
        loss += o.lambda2 * hinge;
        dsfBackward(dsf, t, -o.lambda2, grad);
        prefixCoef.set(s.length, (prefixCoef.get(s.length) ?? 0) + o.lambda2);
      });
      for (const [b, coef] of prefixCoef) {
        const t = dsfForward(dsf, indicator(n, run.order.slice(0, b)));
        dsfBackward(dsf, t, coef, grad);
      }
    }
    // L2 term and the projected Adam step.
    let norm2 = 0;
    dsf.layers.forEach((layer, l) => {
      for (const [p, g, a, b] of [[layer.w, grad.w[l], m1.w[l], m2.w[l]], [layer.b, grad.b[l], m1.b[l], m2.b[l]]] as const) {
        adamStep(p, g, a, b, epoch + 1, o.learningRate, o.lambda + o.weightDecay);
        for (let i = 0; i < p.length; i++) norm2 += p[i] * p[i];
      }
    });
    loss += (o.lambda / 2) * norm2;
    losses.push(loss);
    o.onEpoch?.(epoch + 1, o.epochs, loss);
  }
  const ms = performance.now() - t0;
  return { losses, ms, msPerEpoch: o.epochs > 0 ? ms / o.epochs : 0, greedyEvaluations };
}

const BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

/** One Adam step (Kingma & Ba) with L2 coefficient `decay` added to the gradient, then the projection onto w ≥ 0. */
function adamStep(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, t: number, lr: number, decay: number): void {
  const c1 = 1 - BETA1 ** t, c2 = 1 - BETA2 ** t;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + decay * p[i];
    m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
    v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
    const next = p[i] - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPS);
    p[i] = next > 0 ? next : 0;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
