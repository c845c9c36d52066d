/**
 * Per-image SALVAGE (Shapley-distribution approximation learning via attribution-guided
 * exploration): forward passes only. Coalitions of regions are drawn first from the Shapley
 * kernel, then by attribution-guided sampling (§4.2, Algorithm 3) from the current estimate; the
 * Shapley distribution (eq. 4) is fitted by JS divergence (eq. 5) after every round; the
 * importance of region i for the target is φ_i = φ⁺_i − φ⁻_i (§4.1).
 */
import { regionPixels } from "../../division";
import { compositeRegions, resolveBaseline } from "../../image/baseline";
import type { BlackBoxModel } from "../../model/types";
import { BASELINE, SEED } from "../../params/lima";
import { guidedSubsets, shapleyKernelSubsets } from "../../sampling";
import type { Division, RgbImage, RunControl } from "../../types";
import { throwIfAborted } from "../../util/abort";
import { createRandom } from "../../util/random";
import { type Buckets, bucketProbs, chooseBuckets } from "./buckets";
import { adamState, type DistributionSample, fitDistribution, importance, jsDivergence, surrogate, type ShapleyDistribution, zeroDistribution } from "./distribution";

/** Options of {@link salvageRegions}; defaults in SALVAGE_DEFAULTS (also the method's ParamSpecs). */
export interface SalvageOptions extends RunControl {
  /** Forward passes in all, the empty and full coalitions included (default 1500, LIMA's order at |V| = 49). */
  readonly budget?: number;
  /** Share of the draws after the first two made by the attribution-guided sampler (default 0.5; 0 = Shapley kernel only). */
  readonly guidedFraction?: number;
  /** Guided sampling rounds; φ is re-fitted before each (default 4). */
  readonly rounds?: number;
  /** Classes with their own bucket (top-k of the unmasked image, target included), the rest pooled (default 10; ≥ C = every class). */
  readonly topk?: number;
  /** Adam epochs over all samples after each round (default 40). */
  readonly epochs?: number;
  /** Adam step size (default 0.05). */
  readonly learningRate?: number;
  /** Coalitions per Adam step (default 32). */
  readonly batch?: number;
  /** Value of removed regions (default and range: BASELINE of src/params/lima.ts). */
  readonly baseline?: number;
  /** Seed of the samplers and the fit (default SEED.default). */
  readonly seed?: number;
  /** Fraction of forward passes done. */
  readonly onProgress?: (fraction: number) => void;
}

export const SALVAGE_DEFAULTS = Object.freeze({ budget: 1500, guidedFraction: 0.5, rounds: 4, topk: 10, epochs: 40, learningRate: 0.05, batch: 32, baseline: BASELINE.default, seed: SEED.default });

/** What {@link salvageRegions} returns besides the map. */
export interface SalvageFit {
  /** φ_i = φ⁺_i − φ⁻_i of the target bucket, per region. */
  readonly phi: Float64Array;
  readonly phiPlus: Float64Array;
  readonly phiMinus: Float64Array;
  readonly distribution: ShapleyDistribution;
  readonly buckets: Buckets;
  readonly targetBucket: number;
  readonly forwardPasses: number;
  /** Mean JS divergence over all samples at the end. */
  readonly loss: number;
  /** Number of coalitions drawn by each sampler. */
  readonly kernelDraws: number;
  readonly guidedDraws: number;
  /** Fraction of the target-likelihood values v_c(S) ≥ ½ among each sampler's draws (the balance of §4.2). */
  readonly highShareKernel: number;
  readonly highShareGuided: number;
}

function check(name: string, v: number, lo: number, hi: number, integer: boolean): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) throw new RangeError(`${name} ${String(v)} is not allowed: use ${integer ? "an integer" : "a number"} in ${lo}..${hi}`);
  return v;
}

/** Runs the model on coalition images in chunks, returning each output's bucket probabilities. */
async function evaluate(model: BlackBoxModel, image: RgbImage, baseline: RgbImage, pixels: readonly Int32Array[], coalitions: readonly Uint8Array[], map: (probs: Float32Array) => Float64Array, control: RunControl): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  const chunk = Math.max(1, model.batchSize);
  for (let s = 0; s < coalitions.length; s += chunk) {
    throwIfAborted(control.signal);
    const images = coalitions.slice(s, s + chunk).map((z) => compositeRegions(image, baseline, pixels, [...z.keys()].filter((r) => z[r])));
    const outputs = await model.run(images, { signal: control.signal });
    for (const o of outputs) out.push(map(o.probs));
  }
  return out;
}

/** Per-image SALVAGE on a division; see the module comment and docs/SALVAGE.md. */
export async function salvageRegions(model: BlackBoxModel, image: RgbImage, division: Division, target: number, options: SalvageOptions = {}): Promise<SalvageFit> {
  const o = { ...SALVAGE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof SALVAGE_DEFAULTS & SalvageOptions;
  const m = division.count;
  if (m < 2) throw new RangeError(`SALVAGE needs at least 2 regions, got ${m}`);
  const budget = check("budget", o.budget, 3, 1e6, true);
  const guidedFraction = check("guidedFraction", o.guidedFraction, 0, 1, false);
  const rounds = check("rounds", o.rounds, 1, 100, true);
  const fit = { epochs: check("epochs", o.epochs, 1, 10000, true), learningRate: check("learningRate", o.learningRate, 1e-6, 10, false), batch: check("batch", o.batch, 1, 1e6, true), random: createRandom(o.seed + 1) };
  check("topk", o.topk, 1, 1e6, true);
  check("baseline", o.baseline, BASELINE.min, BASELINE.max, false);
  check("seed", o.seed, SEED.min, SEED.max, true);
  const random = createRandom(o.seed);
  const pixels = regionPixels(division);
  const base = await resolveBaseline(image, o.baseline);
  const passesBefore = model.forwardPasses;

  // The two anchors: the full image (which also fixes the buckets) and the empty one.
  const full = new Uint8Array(m).fill(1), empty = new Uint8Array(m);
  const [fullOut] = await model.run([image], { signal: o.signal });
  const buckets = chooseBuckets(fullOut.probs, o.topk, target);
  const map = (p: Float32Array) => bucketProbs(buckets, p);
  const targetBucket = buckets.classes.indexOf(target);
  const K = buckets.classes.length + (buckets.other ? 1 : 0);
  const samples: DistributionSample[] = [{ coalition: full, target: map(fullOut.probs) }];
  let done = 1;
  const progress = () => o.onProgress?.(Math.min(1, done / budget));
  const add = async (coalitions: Uint8Array[]) => {
    const v = await evaluate(model, image, base, pixels, coalitions, map, o);
    coalitions.forEach((z, i) => samples.push({ coalition: z, target: v[i] }));
    done += coalitions.length;
    progress();
    return v;
  };
  await add([empty]);

  const draws = budget - 2;
  const guided = Math.round(draws * guidedFraction);
  const kernel = draws - guided;
  const d = zeroDistribution(m, K);
  const state = adamState(d);
  const high = (vs: Float64Array[]) => (vs.length ? vs.filter((v) => v[targetBucket] >= 0.5).length / vs.length : NaN);
  const kv = kernel > 0 ? await add(shapleyKernelSubsets(m, kernel, random)) : [];
  fitDistribution(d, samples, state, fit);
  const gv: Float64Array[] = [];
  for (let r = 0; r < rounds && guided > 0; r++) {
    const count = Math.floor((guided * (r + 1)) / rounds) - Math.floor((guided * r) / rounds);
    if (count === 0) continue;
    const { coalitions } = guidedSubsets(importance(d, targetBucket), count, random);
    gv.push(...(await add(coalitions)));
    fitDistribution(d, samples, state, fit);
  }
  const loss = samples.reduce((s, x) => s + jsDivergence(surrogate(d, x.coalition), x.target), 0) / samples.length;
  return {
    phi: importance(d, targetBucket),
    phiPlus: Float64Array.from({ length: m }, (_, i) => d.plus[i * K + targetBucket]),
    phiMinus: Float64Array.from({ length: m }, (_, i) => d.minus[i * K + targetBucket]),
    distribution: d,
    buckets,
    targetBucket,
    forwardPasses: model.forwardPasses - passesBefore,
    loss,
    kernelDraws: kernel,
    guidedDraws: guided,
    highShareKernel: high(kv),
    highShareGuided: high(gv),
  };
}
