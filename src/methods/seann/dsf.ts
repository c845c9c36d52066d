/**
 * A deep submodular function (DSF; Bilmes & Bai 2017, used by SEA-NN, Manupriya et al., §3.1 and
 * supplement S2/S3): a feed-forward network with non-negative weights and biases whose hidden
 * activations are non-negative, monotone non-decreasing and concave (√z or log(1+z)). On Boolean
 * inputs it is a monotone submodular set function; on [0,1]ⁿ it is a concave extension of it
 * (SEA-NN §3.1), so it scores heat maps and pixel subsets with one set of weights.
 *
 * The numeric layer is hand-written for this one shape (dense layers, Float64Array, weights stored
 * input-major so a feature's fan-out row is contiguous): forward, backward and the incremental
 * first layer used by the greedy algorithms (z₁(A ∪ {v}) = z₁(A) + W₁[v]).
 */
import type { Random } from "../../util/random";

/** Concave monotone activation of the hidden layers (supplement S4 tried both). */
export type DsfActivation = "sqrt" | "log1p";
export const DSF_ACTIVATIONS: readonly DsfActivation[] = ["sqrt", "log1p"];

/** Supplement S3: Linear(784, 512) → √ → Linear(512, 128) → √ → Linear(128, 32) → √ → Linear(32, 1). */
export const PAPER_HIDDEN: readonly number[] = [512, 128, 32];

/** Options of {@link createDsf}. */
export interface DsfOptions {
  /** Number of input features n (784 = 28×28 cells in the paper). */
  readonly inputs: number;
  /** Hidden layer widths (default the paper's [512, 128, 32]). */
  readonly hidden?: readonly number[];
  /** Hidden activation (default "sqrt", the paper's). The output layer is linear. */
  readonly activation?: DsfActivation;
  /** Initial weights and biases ~ U(initLow, initHigh) (default U(2, 2.25), supplement S3/S5). */
  readonly initLow?: number;
  readonly initHigh?: number;
}

/**
 * Slope floor of √ at z → 0: d√z/dz = 1/(2√z) is infinite at 0; we use 1/(2√max(z, ε)).
 * Only reached when every weight and bias into a unit has been projected to 0.
 */
const SQRT_EPS = 1e-12;

/** One dense layer: W is inputs × outputs, input-major; b has one entry per output. */
export interface DsfLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly w: Float64Array;
  readonly b: Float64Array;
}

/** A DSF: its layers (the last has one output) and its activation. Weights are ≥ 0 at all times outside an optimiser step. */
export interface Dsf {
  readonly inputs: number;
  readonly activation: DsfActivation;
  readonly layers: readonly DsfLayer[];
}

/** Forward-pass buffers for one input (pre-activations z and activations a of every layer). */
export interface DsfTrace {
  readonly z: Float64Array[];
  readonly a: Float64Array[];
  readonly value: number;
}

/** A DSF with the given shape and seeded uniform initial weights. */
export function createDsf(options: DsfOptions, random: Random): Dsf {
  const hidden = options.hidden ?? PAPER_HIDDEN;
  const activation = options.activation ?? "sqrt";
  const lo = options.initLow ?? 2, hi = options.initHigh ?? 2.25;
  if (!Number.isInteger(options.inputs) || options.inputs < 1) throw new RangeError(`DSF inputs ${options.inputs} is not allowed: use an integer ≥ 1`);
  for (const h of hidden) if (!Number.isInteger(h) || h < 1) throw new RangeError(`DSF hidden width ${h} is not allowed: use integers ≥ 1`);
  if (!DSF_ACTIVATIONS.includes(activation)) throw new RangeError(`DSF activation ${JSON.stringify(activation)} is not allowed: use one of ${DSF_ACTIVATIONS.join(", ")}`);
  if (!(lo >= 0 && hi >= lo && Number.isFinite(hi))) throw new RangeError(`DSF initial range U(${lo}, ${hi}) is not allowed: use 0 ≤ initLow ≤ initHigh`);
  const sizes = [options.inputs, ...hidden, 1];
  const layers: DsfLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = new Float64Array(sizes[l] * sizes[l + 1]);
    const b = new Float64Array(sizes[l + 1]);
    for (let i = 0; i < w.length; i++) w[i] = lo + (hi - lo) * random.next();
    for (let i = 0; i < b.length; i++) b[i] = lo + (hi - lo) * random.next();
    layers.push({ inputs: sizes[l], outputs: sizes[l + 1], w, b });
  }
  return { inputs: options.inputs, activation, layers };
}

/** Number of trainable parameters. */
export function dsfParameterCount(dsf: Dsf): number {
  return dsf.layers.reduce((s, l) => s + l.w.length + l.b.length, 0);
}

function act(kind: DsfActivation, z: number): number {
  return kind === "sqrt" ? Math.sqrt(z > 0 ? z : 0) : Math.log1p(z > 0 ? z : 0);
}

function actSlope(kind: DsfActivation, z: number): number {
  return kind === "sqrt" ? 0.5 / Math.sqrt(z > SQRT_EPS ? z : SQRT_EPS) : 1 / (1 + (z > 0 ? z : 0));
}

/** z = b + Wᵀx for a dense input. */
function affine(layer: DsfLayer, x: Float64Array, out: Float64Array): void {
  const { inputs, outputs, w, b } = layer;
  out.set(b);
  for (let i = 0; i < inputs; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * outputs;
    for (let o = 0; o < outputs; o++) out[o] += xi * w[row + o];
  }
}

/** The first layer's pre-activation z₁(x) = b₁ + W₁ᵀx. */
export function firstLayer(dsf: Dsf, x: Float64Array): Float64Array {
  const out = new Float64Array(dsf.layers[0].outputs);
  affine(dsf.layers[0], x, out);
  return out;
}

/** z₁ of the indicator of a set: b₁ + Σ_{v∈set} W₁[v]. */
export function firstLayerOfSet(dsf: Dsf, set: Iterable<number>): Float64Array {
  const l0 = dsf.layers[0];
  const out = Float64Array.from(l0.b);
  for (const v of set) addRow(dsf, v, out);
  return out;
}

/** z₁ += W₁[v] (adding feature v to a set). */
export function addRow(dsf: Dsf, v: number, z1: Float64Array): void {
  const { outputs, w } = dsf.layers[0];
  const row = v * outputs;
  for (let o = 0; o < outputs; o++) z1[o] += w[row + o];
}

/**
 * f from a first-layer pre-activation z₁ (layers 2..L). `scratch` buffers avoid allocation in the
 * greedy loops; pass the result of {@link dsfScratch}.
 */
export function valueFromFirst(dsf: Dsf, z1: Float64Array, scratch: Float64Array[] = dsfScratch(dsf)): number {
  const { layers, activation } = dsf;
  let a = scratch[0];
  for (let o = 0; o < z1.length; o++) a[o] = act(activation, z1[o]);
  for (let l = 1; l < layers.length; l++) {
    const z = scratch[2 * l - 1];
    affine(layers[l], a, z);
    if (l === layers.length - 1) return z[0];
    const next = scratch[2 * l];
    for (let o = 0; o < z.length; o++) next[o] = act(activation, z[o]);
    a = next;
  }
  throw new Error("unreachable: a DSF has at least one layer");
}

/**
 * ∇_{z₁} f at a first-layer pre-activation z₁ (backpropagation through layers 2..L and the first
 * activation). f is concave and non-decreasing in z₁ (concave non-decreasing activations composed
 * with non-negative affine maps), so f(z₁ + W₁[v]) − f(z₁) ≤ ∇f(z₁) · W₁[v]: a cheap upper bound
 * on every marginal gain at once, used by the greedy algorithms.
 */
export function gradientAtFirst(dsf: Dsf, z1: Float64Array): Float64Array {
  const { layers, activation } = dsf;
  const zs: Float64Array[] = [z1], as: Float64Array[] = [];
  let a = z1.map((v) => act(activation, v));
  as.push(a);
  for (let l = 1; l < layers.length - 1; l++) {
    const z = new Float64Array(layers[l].outputs);
    affine(layers[l], a, z);
    zs.push(z);
    a = z.map((v) => act(activation, v));
    as.push(a);
  }
  let dz = Float64Array.of(1);
  for (let l = layers.length - 1; l >= 1; l--) {
    const { inputs, outputs, w } = layers[l];
    const da = new Float64Array(inputs);
    for (let i = 0; i < inputs; i++) {
      const row = i * outputs;
      let s = 0;
      for (let o = 0; o < outputs; o++) s += w[row + o] * dz[o];
      da[i] = s * actSlope(activation, zs[l - 1][i]);
    }
    dz = da;
  }
  return dz;
}

/** W₁[v] · g for every feature v (the linear upper bounds of {@link gradientAtFirst}). */
export function rowDots(dsf: Dsf, g: Float64Array, out: Float64Array = new Float64Array(dsf.inputs)): Float64Array {
  const { inputs, outputs, w } = dsf.layers[0];
  for (let v = 0; v < inputs; v++) {
    const row = v * outputs;
    let s = 0;
    for (let o = 0; o < outputs; o++) s += w[row + o] * g[o];
    out[v] = s;
  }
  return out;
}

/** Reusable buffers for {@link valueFromFirst}. */
export function dsfScratch(dsf: Dsf): Float64Array[] {
  const out: Float64Array[] = [new Float64Array(dsf.layers[0].outputs)];
  for (let l = 1; l < dsf.layers.length; l++) {
    out.push(new Float64Array(dsf.layers[l].outputs));
    out.push(new Float64Array(dsf.layers[l].outputs));
  }
  return out;
}

/** f_ext(x) for x ∈ [0, 1]ⁿ (a heat map) or a 0/1 indicator (a set). */
export function dsfValue(dsf: Dsf, x: Float64Array): number {
  checkInput(dsf, x);
  return valueFromFirst(dsf, firstLayer(dsf, x));
}

/** f(S) of a set of feature indices. */
export function dsfSetValue(dsf: Dsf, set: Iterable<number>): number {
  return valueFromFirst(dsf, firstLayerOfSet(dsf, set));
}

function checkInput(dsf: Dsf, x: Float64Array): void {
  if (x.length !== dsf.inputs) throw new RangeError(`DSF input has ${x.length} values; this DSF takes ${dsf.inputs}`);
}

/** Forward pass keeping every layer's z and a, for {@link dsfBackward}. */
export function dsfForward(dsf: Dsf, x: Float64Array): DsfTrace {
  checkInput(dsf, x);
  const z: Float64Array[] = [], a: Float64Array[] = [x];
  let input = x;
  for (let l = 0; l < dsf.layers.length; l++) {
    const zl = new Float64Array(dsf.layers[l].outputs);
    affine(dsf.layers[l], input, zl);
    z.push(zl);
    if (l < dsf.layers.length - 1) {
      const al = zl.map((v) => act(dsf.activation, v));
      a.push(al);
      input = al;
    }
  }
  return { z, a, value: z[z.length - 1][0] };
}

/** Gradient buffers shaped like the DSF's parameters. */
export interface DsfGradient {
  readonly w: Float64Array[];
  readonly b: Float64Array[];
}

export function zeroGradient(dsf: Dsf): DsfGradient {
  return { w: dsf.layers.map((l) => new Float64Array(l.w.length)), b: dsf.layers.map((l) => new Float64Array(l.b.length)) };
}

/** Adds `scale` · ∂f(x)/∂(W, b) to `grad` (backpropagation through the trace of x). */
export function dsfBackward(dsf: Dsf, trace: DsfTrace, scale: number, grad: DsfGradient): void {
  const L = dsf.layers.length;
  let dz = Float64Array.of(scale);
  for (let l = L - 1; l >= 0; l--) {
    const { inputs, outputs, w } = dsf.layers[l];
    const a = trace.a[l];
    const gw = grad.w[l], gb = grad.b[l];
    for (let o = 0; o < outputs; o++) gb[o] += dz[o];
    if (l === 0) {
      // Input layer: only the weight gradient, and only rows of non-zero inputs.
      for (let i = 0; i < inputs; i++) {
        const ai = a[i];
        if (ai === 0) continue;
        const row = i * outputs;
        for (let o = 0; o < outputs; o++) gw[row + o] += ai * dz[o];
      }
      break;
    }
    const da = new Float64Array(inputs);
    for (let i = 0; i < inputs; i++) {
      const ai = a[i];
      const row = i * outputs;
      let s = 0;
      for (let o = 0; o < outputs; o++) {
        gw[row + o] += ai * dz[o];
        s += w[row + o] * dz[o];
      }
      da[i] = s;
    }
    const zPrev = trace.z[l - 1];
    for (let i = 0; i < inputs; i++) da[i] *= actSlope(dsf.activation, zPrev[i]);
    dz = da;
  }
}

/** The smallest weight or bias (≥ 0 for a valid DSF). */
export function minParameter(dsf: Dsf): number {
  let m = Infinity;
  for (const l of dsf.layers) {
    for (const v of l.w) if (v < m) m = v;
    for (const v of l.b) if (v < m) m = v;
  }
  return m;
}

/** A deep copy (for comparing before and after training). */
export function cloneDsf(dsf: Dsf): Dsf {
  return { inputs: dsf.inputs, activation: dsf.activation, layers: dsf.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, w: l.w.slice(), b: l.b.slice() })) };
}
