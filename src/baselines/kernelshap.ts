import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { createRandom, type Random } from "../util/random";
import { positiveInteger } from "./common";
import { paintRegions, type RegionBaselineOptions, resolveDivision, scoreCoalitions } from "./regions";
import { weightedLeastSquares } from "./regression";

/** Options of {@link kernelShap}. */
export interface KernelShapOptions extends RegionBaselineOptions {
  /** Coalitions evaluated besides the empty and full ones (default 2·|V| + 2048). */
  readonly samples?: number;
}

/** A coalition size drawn ∝ the Shapley kernel's total weight per size, (m−1)/(s(m−s)), then a uniform subset of that size. */
function sampleCoalition(m: number, random: Random, sizeCdf: Float64Array): Uint8Array {
  const u = random.next();
  let s = 1;
  while (s < m - 1 && sizeCdf[s] < u) s++;
  const order = Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < s; i++) {
    const j = i + random.int(m - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const z = new Uint8Array(m);
  for (let i = 0; i < s; i++) z[order[i]] = 1;
  return z;
}

function sizeDistribution(m: number): Float64Array {
  const cdf = new Float64Array(m);
  let total = 0;
  for (let s = 1; s < m; s++) total += (m - 1) / (s * (m - s));
  let acc = 0;
  for (let s = 1; s < m; s++) cdf[s] = acc += (m - 1) / (s * (m - s)) / total;
  return cdf;
}

/**
 * Kernel SHAP (Lundberg & Lee 2017) on the regions LIMA uses: coalitions sampled by the Shapley
 * kernel, a weighted linear fit whose empty and full coalitions carry a very large weight (the
 * efficiency constraint φ_0 = f(∅), Σφ = f(V) − f(∅)). Region values are painted on their pixels.
 */
export async function kernelShap(model: BlackBoxModel, image: RgbImage, options: KernelShapOptions): Promise<SaliencyMap> {
  const division = resolveDivision(image, options.division);
  const m = division.count;
  if (m < 2) throw new RangeError(`Kernel SHAP needs at least 2 regions, got ${m}`);
  const samples = positiveInteger("samples", options.samples ?? 2 * m + 2048);
  const random = createRandom(options.seed ?? 0);
  const cdf = sizeDistribution(m);
  const coalitions = [new Uint8Array(m), new Uint8Array(m).fill(1), ...Array.from({ length: samples }, () => sampleCoalition(m, random, cdf))];
  const y = await scoreCoalitions(model, image, division, coalitions, options);
  const weights = coalitions.map((_, i) => (i < 2 ? 1e6 : 1));
  const fit = weightedLeastSquares(coalitions.map((z) => Float64Array.from(z)), y, weights);
  return paintRegions(division, fit.coefficients);
}
