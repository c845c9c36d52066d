import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { guidedSubsets, type SamplerName, checkSampler, samplerParam } from "../sampling";
import { createRandom, type Random } from "../util/random";
import { BASELINE, SEED } from "../params/lima";
import type { ParamSpec } from "../params/types";
import { positiveInteger } from "./common";
import { paintRegions, type RegionBaselineOptions, resolveDivision, scoreCoalitions } from "./regions";
import { weightedLeastSquares } from "./regression";

/** Options of {@link kernelShap}. */
export interface KernelShapOptions extends RegionBaselineOptions {
  /**
   * Coalitions drawn besides the empty and full ones (default 2·|V| + 2048, the shap library's
   * default; 0 means the same). Capped: when the 2^|V| − 2 proper coalitions are no more than that, each is evaluated
   * once with its exact kernel weight (exact Kernel SHAP). A coalition drawn k times is evaluated
   * once and weighted k, so the forward passes are at most samples + 2.
   */
  readonly samples?: number;
  /**
   * "native" (default): every draw ∝ the Shapley kernel. "guided": the first ⌈samples/2⌉ ∝ the
   * kernel, then a fit, then ⌊samples/2⌋ by attribution-guided sampling (SALVAGE Algorithm 3) from
   * that fit (full coalitions dropped), each weighted π(z) / mean π over the guided draws; refit on
   * all. Ignored when the design is exact.
   */
  readonly sampler?: SamplerName;
}

/** Kernel SHAP's parameters. */
export const KERNELSHAP_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "samples", label: "samples", flag: "shap-samples", default: 0, min: 0, max: 1_000_000, integer: true, unit: "coalitions", meaning: "coalitions drawn besides the empty and full ones; 0 = 2·|V| + 2048 (the shap library's default)" },
  BASELINE,
  SEED,
  samplerParam("shap-sampler"),
];

/** Coalitions with their regression weights. */
interface Design {
  readonly coalitions: Uint8Array[];
  readonly weights: number[];
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** The Shapley kernel π(z) = (m − 1) / (C(m, s) · s · (m − s)) of a coalition of size s (Lundberg & Lee 2017, Theorem 2). */
function kernelWeight(m: number, s: number): number {
  return (m - 1) / (binomial(m, s) * s * (m - s));
}

/** Every proper, non-empty coalition, weighted by the Shapley kernel. */
function allCoalitions(m: number): Design {
  const coalitions: Uint8Array[] = [], weights: number[] = [];
  for (let bits = 1; bits < 2 ** m - 1; bits++) {
    const z = Uint8Array.from({ length: m }, (_, i) => (Math.floor(bits / 2 ** i) % 2));
    coalitions.push(z);
    weights.push(kernelWeight(m, z.reduce((a, v) => a + v, 0)));
  }
  return { coalitions, weights };
}

/** Cumulative distribution of coalition sizes 1..m−1 ∝ the kernel's total weight per size, (m−1)/(s(m−s)). */
function sizeDistribution(m: number): Float64Array {
  const cdf = new Float64Array(m);
  let total = 0;
  for (let s = 1; s < m; s++) total += 1 / (s * (m - s));
  let acc = 0;
  for (let s = 1; s < m; s++) cdf[s] = acc += 1 / (s * (m - s)) / total;
  return cdf;
}

/** One draw: a size from the kernel's size distribution, then a uniform subset of that size. */
function drawCoalition(m: number, random: Random, cdf: Float64Array): Uint8Array {
  const u = random.next();
  let s = 1;
  while (s < m - 1 && cdf[s] < u) s++;
  const order = Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < s; i++) {
    const j = i + random.int(m - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const z = new Uint8Array(m);
  for (let i = 0; i < s; i++) z[order[i]] = 1;
  return z;
}

/** `samples` draws ∝ the kernel; repeated coalitions merged, each weighted by its count. */
function sampledCoalitions(m: number, samples: number, random: Random): Design {
  const cdf = sizeDistribution(m);
  const index = new Map<string, number>();
  const design: Design = { coalitions: [], weights: [] };
  for (let n = 0; n < samples; n++) {
    const z = drawCoalition(m, random, cdf);
    const key = z.join("");
    const at = index.get(key);
    if (at !== undefined) design.weights[at]++;
    else {
      index.set(key, design.coalitions.length);
      design.coalitions.push(z);
      design.weights.push(1);
    }
  }
  return design;
}

/**
 * The weighted linear fit with both Kernel SHAP constraints exact: φ_0 = f(∅) and
 * Σφ_i = f(V) − f(∅) (efficiency). The last region's value is eliminated as
 * Δ − Σ_{i<m−1} φ_i, and the rest fitted without intercept on z_i − z_{m−1}.
 */
function constrainedFit(design: Design, y: readonly number[], empty: number, full: number): Float64Array {
  const m = design.coalitions[0].length;
  const delta = full - empty;
  const rows = design.coalitions.map((z) => Float64Array.from({ length: m - 1 }, (_, i) => z[i] - z[m - 1]));
  const targets = design.coalitions.map((z, r) => y[r] - empty - z[m - 1] * delta);
  const { coefficients } = weightedLeastSquares(rows, targets, design.weights, { intercept: false });
  const phi = new Float64Array(m);
  phi.set(coefficients);
  phi[m - 1] = delta - coefficients.reduce((a, v) => a + v, 0);
  return phi;
}

/**
 * Kernel SHAP (Lundberg & Lee 2017) on the regions LIMA uses: coalitions of regions (kept regions
 * show the image, the others the baseline), sampled ∝ the Shapley kernel with a seed, or all of
 * them when that is cheaper; a weighted linear fit with the efficiency constraint. Each region's
 * Shapley value is painted on its pixels.
 */
export async function kernelShap(model: BlackBoxModel, image: RgbImage, options: KernelShapOptions): Promise<SaliencyMap> {
  const division = resolveDivision(image, options.division);
  const m = division.count;
  if (m < 2) throw new RangeError(`Kernel SHAP needs at least 2 regions, got ${m}`);
  const samples = positiveInteger("samples", options.samples || 2 * m + 2048);
  const sampler = checkSampler(options.sampler ?? "native");
  const exact = 2 ** m - 2 <= samples;
  const random = createRandom(options.seed ?? 0);
  const first = exact || sampler === "native" ? samples : Math.ceil(samples / 2);
  const design = exact ? allCoalitions(m) : sampledCoalitions(m, first, random);
  const y = await scoreCoalitions(model, image, division, [new Uint8Array(m), new Uint8Array(m).fill(1), ...design.coalitions], options);
  let phi = constrainedFit(design, y.slice(2), y[0], y[1]);
  if (!exact && sampler === "guided") {
    const extra = guidedSubsets(phi, samples - first, random).coalitions.filter((z) => z.some((v) => !v));
    const pi = extra.map((z) => kernelWeight(m, z.reduce((a, v) => a + v, 0)));
    const mean = pi.reduce((a, v) => a + v, 0) / Math.max(1, pi.length);
    const ye = await scoreCoalitions(model, image, division, extra, options);
    const all: Design = { coalitions: [...design.coalitions, ...extra], weights: [...design.weights, ...pi.map((w) => w / mean)] };
    phi = constrainedFit(all, [...y.slice(2), ...ye], y[0], y[1]);
  }
  return paintRegions(division, phi);
}
