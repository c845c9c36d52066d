import { DEFAULT_DIVISION, type DivisionOptions, divide, regionPixels } from "../division";
import type { BlackBoxModel } from "../model/types";
import type { Division, RgbImage, SaliencyMap } from "../types";
import { compositeRegions, resolveBaseline } from "../image/baseline";
import { type BaselineControl, scoreGenerated } from "./common";

/** Options shared by the region-based baselines (Kernel SHAP, LIME): the same regions as LIMA. */
export interface RegionBaselineOptions extends BaselineControl {
  /** The division, or how to make it (default DEFAULT_DIVISION, as LIMA). */
  readonly division?: Division | DivisionOptions;
  /** Value of removed regions, 0..255 (default 0). */
  readonly baseline?: number;
  /** Seed of the coalition sampler (default 0). */
  readonly seed?: number;
}

export function resolveDivision(image: RgbImage, d: Division | DivisionOptions | undefined): Division {
  if (d && "labels" in d) return d;
  return divide(image, d ?? DEFAULT_DIVISION);
}

/** Target scores of coalition images (regions where z = 1 kept, the rest at the baseline). */
export async function scoreCoalitions(model: BlackBoxModel, image: RgbImage, division: Division, coalitions: readonly Uint8Array[], options: RegionBaselineOptions): Promise<number[]> {
  const pixels = regionPixels(division);
  const baseline = await resolveBaseline(image, options.baseline ?? 0);
  const scores = new Array<number>(coalitions.length);
  await scoreGenerated(
    model,
    coalitions.length,
    (i) => compositeRegions(image, baseline, pixels, [...coalitions[i].keys()].filter((r) => coalitions[i][r])),
    (i, s) => (scores[i] = s),
    options,
  );
  return scores;
}

/** A map whose pixels hold their region's value. */
export function paintRegions(division: Division, values: ArrayLike<number>): SaliencyMap {
  return { width: division.width, height: division.height, data: Float32Array.from(division.labels, (l) => values[l]) };
}
