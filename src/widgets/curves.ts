import { regionAreas, regionPixels } from "../division";
import { cumulativeAreas, trapezoid } from "../metrics/curves";
import { compositeRegions } from "../image/baseline";
import type { BlackBoxModel } from "../model/types";
import type { Division, RgbImage, SaliencyMap } from "../types";

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
 * The same function serves every method, so compared curves are measured the same way.
 */
export async function regionCurves(model: BlackBoxModel, image: RgbImage, division: Division, order: readonly number[], target: number, signal?: AbortSignal): Promise<RegionCurves> {
  const m = division.count;
  if (order.length !== m) throw new RangeError(`order has ${order.length} regions; the division has ${m}`);
  const pixels = regionPixels(division);
  const black: RgbImage = { width: image.width, height: image.height, data: new Float32Array(image.data.length) };
  const images: RgbImage[] = [];
  for (let k = 0; k <= m; k++) images.push(compositeRegions(image, black, pixels, order.slice(0, k)));
  for (let k = 0; k <= m; k++) images.push(compositeRegions(image, black, pixels, order.slice(k)));
  const outputs = await model.run(images, { signal });
  const y = outputs.map((o) => o.probs[target]);
  const x = cumulativeAreas(order, regionAreas(division));
  const ins = y.slice(0, m + 1);
  const del = y.slice(m + 1);
  return { insertion: { x, y: ins, auc: trapezoid(x, ins) }, deletion: { x, y: del, auc: trapezoid(x, del) } };
}
