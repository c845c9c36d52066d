import { regionAreas, regionPixels } from "../division";
import { cumulativeAreas, trapezoid } from "../metrics/curves";
import { compositePlanarInto, compositeRegions } from "../image/baseline";
import type { BlackBoxModel, ModelOutput } from "../model/types";
import type { Division, RgbImage, SaliencyMap } from "../types";
import type { CachedModel } from "./cached-model";

/**
 * Regions by the mean of a map over their pixels, highest first; ties by lower region index.
 * This is how a map-only method (RISE, occlusion…) gets the region order its curves need.
 */
export function regionOrderFromMap(map: SaliencyMap, division: Division): number[] {
  if (map.data.length !== division.labels.length) throw new RangeError(`map is ${map.width}×${map.height}; the division is ${division.width}×${division.height}`);
  const sums = new Float64Array(division.count);
  const counts = new Float64Array(division.count);
  division.labels.forEach((r, p) => {
    sums[r] += map.data[p];
    counts[r]++;
  });
  const mean = Array.from(sums, (s, r) => (counts[r] > 0 ? s / counts[r] : -Infinity));
  return Array.from({ length: division.count }, (_, r) => r).sort((a, b) => mean[b] - mean[a] || a - b);
}

export interface RegionCurves {
  readonly insertion: { x: number[]; y: number[]; auc: number };
  readonly deletion: { x: number[]; y: number[]; auc: number };
}

/**
 * Region insertion and deletion curves of an order (METHOD.md §6, the curves LIMA reports):
 * step k shows the first k regions on a black baseline (insertion) or blacks them out (deletion);
 * x is the area fraction revealed or removed, y the target class's probability, |V| + 1 points.
 * The same function serves every method, so compared curves are measured the same way. With a
 * model that offers `tensorInput` the images are composed straight into its input layout: the same
 * tensors, and so the same cache entries of the explorer's {@link CachedModel}, as the subset
 * evaluator's.
 */
export async function regionCurves(model: BlackBoxModel, image: RgbImage, division: Division, order: readonly number[], target: number, signal?: AbortSignal): Promise<RegionCurves> {
  const m = division.count;
  if (order.length !== m) throw new RangeError(`order has ${order.length} regions; the division has ${m}`);
  const pixels = regionPixels(division);
  const black: RgbImage = { width: image.width, height: image.height, data: new Float32Array(image.data.length) };
  /** Image k: the first k regions (insertion), then image m + 1 + k: all but the first k (deletion). */
  const shown = (k: number) => (k <= m ? order.slice(0, k) : order.slice(k - m - 1));
  const tensors = model.tensorInput;
  let outputs: ModelOutput[];
  if (tensors) {
    // Straight into the model's input layout: the same tensors (and cache keys) as the subset evaluator's.
    const imageTensor = tensors.normalise(image), blackTensor = tensors.normalise(black);
    outputs = await tensors.runWritten(2 * (m + 1), (k, out) => compositePlanarInto(out, imageTensor, blackTensor, pixels, shown(k)), { signal });
  } else {
    outputs = await model.run(Array.from({ length: 2 * (m + 1) }, (_, k) => compositeRegions(image, black, pixels, shown(k))), { signal });
  }
  const y = outputs.map((o) => o.probs[target]);
  const x = cumulativeAreas(order, regionAreas(division));
  const ins = y.slice(0, m + 1);
  const del = y.slice(m + 1);
  return { insertion: { x, y: ins, auc: trapezoid(x, ins) }, deletion: { x, y: del, auc: trapezoid(x, del) } };
}
