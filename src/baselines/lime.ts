import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { createRandom } from "../util/random";
import { positiveInteger } from "./common";
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
}

/**
 * LIME (Ribeiro et al. 2016) on the regions LIMA uses: random coalitions, weights
 * exp(−d²/w²) with d the cosine distance to the full image, a ridge-regularised weighted linear
 * surrogate; its coefficients are painted on the regions.
 */
export async function lime(model: BlackBoxModel, image: RgbImage, options: LimeOptions): Promise<SaliencyMap> {
  const division = resolveDivision(image, options.division);
  const m = division.count;
  const samples = positiveInteger("samples", options.samples ?? 1000);
  const keep = options.keepProbability ?? 0.5;
  const width = options.kernelWidth ?? 0.25;
  if (!(keep > 0 && keep < 1)) throw new RangeError(`keepProbability ${keep} is not allowed: use 0 < p < 1`);
  const random = createRandom(options.seed ?? 0);
  const coalitions = [new Uint8Array(m).fill(1), ...Array.from({ length: samples }, () => Uint8Array.from({ length: m }, () => (random.next() < keep ? 1 : 0)))];
  const y = await scoreCoalitions(model, image, division, coalitions, options);
  const weights = coalitions.map((z) => {
    const on = z.reduce((s, v) => s + v, 0);
    const d = on === 0 ? 1 : 1 - Math.sqrt(on / m);
    return Math.exp(-(d * d) / (width * width));
  });
  const fit = weightedLeastSquares(coalitions.map((z) => Float64Array.from(z)), y, weights, options.ridge ?? 1);
  return paintRegions(division, fit.coefficients);
}
