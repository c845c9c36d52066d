/**
 * Grouped attributions (Sum-of-Parts Definition 2) made from what other methods produce.
 */
import type { AttributionGroup } from "../types";
import type { Division, SaliencyMap } from "../../types";

/**
 * LIMA's ordered prefixes as nested groups: group k holds the first k regions of the order and
 * scores the marginal gain y_k − y_{k−1} of the region insertion curve that placed region k
 * (so groups whose last region mattered most come first in a grouped test).
 */
export function prefixGroups(order: readonly number[], division: Division, insertionY: readonly number[]): AttributionGroup[] {
  if (insertionY.length !== order.length + 1) throw new RangeError(`insertion curve has ${insertionY.length} points; an order of ${order.length} regions needs ${order.length + 1}`);
  const inPrefix = new Uint8Array(division.count);
  return order.map((r, k) => {
    inPrefix[r] = 1;
    return {
      mask: Uint8Array.from(division.labels, (l) => inPrefix[l]),
      score: insertionY[k + 1] - insertionY[k],
      regions: order.slice(0, k + 1),
    };
  });
}

/**
 * Groups from any map by thresholding: for each fraction q (default 5, 10, 20, 40 %), the top-q
 * pixels by saliency (stable ties), scored by the mean map value inside. The groups are nested.
 */
export function thresholdGroups(map: SaliencyMap, fractions: readonly number[] = [0.05, 0.1, 0.2, 0.4]): AttributionGroup[] {
  const n = map.data.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => map.data[b] - map.data[a] || a - b);
  return fractions.map((q) => {
    if (!(q > 0 && q <= 1)) throw new RangeError(`threshold fraction ${q} is not allowed: use a number in (0, 1]`);
    const k = Math.max(1, Math.round(q * n));
    const mask = new Uint8Array(n);
    let sum = 0;
    for (let i = 0; i < k; i++) {
      mask[order[i]] = 1;
      sum += map.data[order[i]];
    }
    return { mask, score: sum / k };
  });
}
