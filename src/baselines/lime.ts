import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { guidedSubsets, type SamplerName, checkSampler, samplerParam } from "../sampling";
import { createRandom } from "../util/random";
import { BASELINE, SEED } from "../params/lima";
import type { ParamSpec } from "../params/types";
import { defaultsOf, positiveInteger } from "./common";
import { paintRegions, type RegionBaselineOptions, resolveDivision, scoreCoalitions } from "./regions";
import { weightedLeastSquares } from "./regression";

/** Options of {@link lime}. */
export interface LimeOptions extends RegionBaselineOptions {
  /** Random coalitions (default 1000; the full image is always added). */
  readonly samples?: number;
  /** Probability that a region is kept in a sample (default 0.5). */
  readonly keepProbability?: number;
  /** Width of the exponential kernel on the cosine distance (default 0.25). */
  readonly kernelWidth?: number;
  /** Ridge penalty of the surrogate (default 1). */
  readonly ridge?: number;
  /**
   * "native" (default): every sample keeps each region with `keepProbability`. "guided": the first
   * ⌈samples/2⌉ so, then a fit, then ⌊samples/2⌋ by attribution-guided sampling (SALVAGE
   * Algorithm 3) from that fit's coefficients; refit on all with LIME's weights.
   */
  readonly sampler?: SamplerName;
}

/** LIME's parameters; defaults those of the lime package's image explainer: 1000 samples, kernel width 0.25, ridge α = 1. */
export const LIME_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "samples", label: "samples", flag: "lime-samples", default: 1000, min: 1, max: 100_000, integer: true, unit: "coalitions", meaning: "random coalitions of regions (the full image is added)" },
  { kind: "number", name: "keepProbability", label: "keep p", flag: "lime-keep", default: 0.5, min: 0.01, max: 0.99, step: 0.01, meaning: "probability that a region is kept in a sample" },
  { kind: "number", name: "kernelWidth", label: "kernel width", flag: "lime-kernel-width", default: 0.25, min: 0.01, max: 100, step: 0.01, meaning: "width of the exponential kernel on the cosine distance" },
  { kind: "number", name: "ridge", label: "ridge α", flag: "lime-ridge", default: 1, min: 0, max: 1_000_000, meaning: "ridge penalty of the linear surrogate" },
  BASELINE,
  SEED,
  samplerParam("lime-sampler"),
];

/** LIME's defaults, from {@link LIME_PARAMS}. */
export const LIME_DEFAULTS = defaultsOf<{ samples: number; keepProbability: number; kernelWidth: number; ridge: number; baseline: number; seed: number }>(LIME_PARAMS);

/**
 * LIME (Ribeiro et al. 2016) on the regions LIMA uses: random coalitions, weights √exp(−d²/w²)
 * (the lime package's image kernel) with d the cosine distance to the full image, a
 * ridge-regularised weighted linear surrogate; its coefficients are painted on the regions.
 */
export async function lime(model: BlackBoxModel, image: RgbImage, options: LimeOptions): Promise<SaliencyMap> {
  const division = resolveDivision(image, options.division);
  const m = division.count;
  const samples = positiveInteger("samples", options.samples ?? LIME_DEFAULTS.samples);
  const keep = options.keepProbability ?? LIME_DEFAULTS.keepProbability;
  const width = options.kernelWidth ?? LIME_DEFAULTS.kernelWidth;
  if (!(keep > 0 && keep < 1)) throw new RangeError(`keepProbability ${keep} is not allowed: use 0 < p < 1`);
  const random = createRandom(options.seed ?? LIME_DEFAULTS.seed);
  const sampler = checkSampler(options.sampler ?? "native");
  const first = sampler === "native" ? samples : Math.ceil(samples / 2);
  const coalitions = [new Uint8Array(m).fill(1), ...Array.from({ length: first }, () => Uint8Array.from({ length: m }, () => (random.next() < keep ? 1 : 0)))];
  const y = await scoreCoalitions(model, image, division, coalitions, options);
  const surrogate = () => {
    const weights = coalitions.map((z) => {
      const on = z.reduce((s, v) => s + v, 0);
      const d = on === 0 ? 1 : 1 - Math.sqrt(on / m);
      return Math.sqrt(Math.exp(-(d * d) / (width * width)));
    });
    return weightedLeastSquares(coalitions.map((z) => Float64Array.from(z)), y, weights, { ridge: options.ridge ?? LIME_DEFAULTS.ridge }).coefficients;
  };
  let coefficients = surrogate();
  if (sampler === "guided" && samples > first) {
    const extra = guidedSubsets(coefficients, samples - first, random).coalitions;
    y.push(...(await scoreCoalitions(model, image, division, extra, options)));
    coalitions.push(...extra);
    coefficients = surrogate();
  }
  return paintRegions(division, coefficients);
}
