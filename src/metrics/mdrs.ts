/**
 * Minimal Discriminative Region Size (MDRS; Manupriya et al., eq. 3): the smallest number of
 * pixels that must be set to a perturbation value p for the model's predicted class to change,
 *   MDRS(p) = min_I |I|  s.t.  y(x) ≠ y((1 − I)∘x + I·p),
 * obtained, as the paper does in its experiments, greedily by perturbing the segments of a
 * division in decreasing order of their importance under the map (a segment's importance is the
 * mean of the map over its pixels; ties by lower segment index). Lower is better: the map found
 * a small region the decision depends on.
 *
 * Reported as a fraction of the image area (`mdrs`) and as a number of segments (`mdrsRegions`).
 * If the prediction never changes, even with every segment perturbed, MDRS is the whole image
 * (1 and |V|) and `flipped` is false.
 */
import { regionPixels } from "../division";
import type { AttributionResult } from "../methods/types";
import type { BlackBoxModel } from "../model/types";
import type { Division, RgbImage, RunControl, SaliencyMap } from "../types";
import { throwIfAborted } from "../util/abort";
import type { MetricBenchmark, MetricSpec } from "./types";

/** Options of {@link minimalDiscriminativeRegion}. */
export interface MdrsOptions extends RunControl {
  /** Perturbation value p of removed pixels, 0..255 (default 0, as the paper). */
  readonly baseline?: number;
}

/** What {@link minimalDiscriminativeRegion} measured. */
export interface MdrsResult {
  /** Perturbed pixels when the prediction changed (all pixels if it never did). */
  readonly pixels: number;
  /** pixels / (W·H). */
  readonly fraction: number;
  /** Segments perturbed. */
  readonly regions: number;
  readonly flipped: boolean;
  /** Class predicted on the unperturbed image, and after the last perturbation made. */
  readonly predicted: number;
  readonly predictedAfter: number;
  readonly forwardPasses: number;
}

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Segment order by decreasing mean saliency (ties: lower index first). */
export function segmentOrder(map: SaliencyMap, division: Division): number[] {
  if (map.width !== division.width || map.height !== division.height) throw new RangeError(`saliency map is ${map.width}×${map.height}; the division is ${division.width}×${division.height}`);
  const sum = new Float64Array(division.count), count = new Float64Array(division.count);
  division.labels.forEach((l, p) => {
    sum[l] += Number.isFinite(map.data[p]) ? map.data[p] : -Infinity;
    count[l]++;
  });
  const mean = sum.map((s, l) => s / count[l]);
  return Array.from({ length: division.count }, (_, i) => i).sort((a, b) => mean[b] - mean[a] || a - b);
}

/** MDRS of one map (eq. 3, greedy over segments), in model-sized batches that stop once the class changes. */
export async function minimalDiscriminativeRegion(model: BlackBoxModel, image: RgbImage, map: SaliencyMap, division: Division, options: MdrsOptions = {}): Promise<MdrsResult> {
  const p = options.baseline ?? 0;
  if (!(Number.isFinite(p) && p >= 0 && p <= 255)) throw new RangeError(`baseline ${p} is not allowed: use a number in 0..255`);
  if (image.width !== division.width || image.height !== division.height) throw new RangeError(`division is ${division.width}×${division.height}; the image is ${image.width}×${image.height}`);
  const order = segmentOrder(map, division);
  const pixels = regionPixels(division);
  const total = image.width * image.height;
  const passes0 = model.forwardPasses;
  const [original] = await model.run([image], { signal: options.signal });
  const predicted = argmax(original.probs);
  const chunk = Math.max(1, model.batchSize);
  const work = image.data.slice();
  let removed = 0, k = 0, after = predicted;
  while (k < order.length) {
    throwIfAborted(options.signal);
    const batch: RgbImage[] = [], areas: number[] = [];
    for (let b = 0; b < chunk && k + b < order.length; b++) {
      for (const q of pixels[order[k + b]]) work.fill(p, 3 * q, 3 * q + 3);
      removed += pixels[order[k + b]].length;
      areas.push(removed);
      batch.push({ width: image.width, height: image.height, data: work.slice() });
    }
    const outputs = await model.run(batch, { signal: options.signal });
    for (let b = 0; b < outputs.length; b++) {
      after = argmax(outputs[b].probs);
      if (after !== predicted) {
        return { pixels: areas[b], fraction: areas[b] / total, regions: k + b + 1, flipped: true, predicted, predictedAfter: after, forwardPasses: model.forwardPasses - passes0 };
      }
    }
    k += batch.length;
  }
  return { pixels: total, fraction: 1, regions: order.length, flipped: false, predicted, predictedAfter: after, forwardPasses: model.forwardPasses - passes0 };
}

/** MDRS as a metric bound to a benchmark: perturbs the benchmark's shared division with its baseline. */
export const MDRS_METRIC: MetricSpec = {
  name: "mdrs",
  columns: [
    { key: "mdrs", label: "MDRS (area)", better: "lower" },
    { key: "mdrsRegions", label: "MDRS (segments)", better: "lower" },
  ],
  params: [],
  async evaluate(bench: MetricBenchmark, result: AttributionResult): Promise<Record<string, number>> {
    const r = await minimalDiscriminativeRegion(bench.model, bench.image, result.map, bench.division, { baseline: bench.baseline, signal: bench.signal });
    return { mdrs: r.fraction, mdrsRegions: r.regions };
  },
};
