import type { BlackBoxModel } from "../model/types";
import { type ScoreTarget, targetScore } from "../score/terms";
import type { RgbImage, RunControl, SaliencyMap } from "../types";
import { throwIfAborted } from "../util/abort";
import { highestConfidence, type Curve, type HighestConfidence, trapezoid } from "./curves";

/** Options of the pixel insertion/deletion metric (METHOD.md §6, LIMA eqs. 13-14). */
export interface PixelCurveOptions extends RunControl {
  /** Class index (or embedding target) whose score is measured. */
  readonly target: number | ScoreTarget;
  /** Equal steps from 0 to all pixels (default 50, so 51 points). */
  readonly steps?: number;
  /** Value of hidden pixels, 0..255 (default 0). */
  readonly baseline?: number;
}

function asTarget(target: number | ScoreTarget): ScoreTarget {
  return typeof target === "number" ? { kind: "class", index: target } : target;
}

/** Pixel indices by saliency, highest first; ties by lower pixel index (stable). */
export function rankPixels(map: SaliencyMap): Int32Array {
  const idx = Array.from({ length: map.data.length }, (_, i) => i);
  const v = map.data;
  idx.sort((a, b) => (v[b] - v[a]) || a - b);
  return Int32Array.from(idx);
}

function checkMap(image: RgbImage, map: SaliencyMap): void {
  if (map.width !== image.width || map.height !== image.height || map.data.length !== image.width * image.height) {
    throw new RangeError(`saliency map is ${map.width}×${map.height}; the image is ${image.width}×${image.height}`);
  }
  if (map.data.some((v) => Number.isNaN(v))) throw new RangeError("saliency map contains NaN values");
}

/** The images of each step: the top k pixels revealed on the baseline (insertion) or set to it (deletion). */
function stepImages(image: RgbImage, order: Int32Array, steps: number, baseline: number, mode: "insertion" | "deletion"): RgbImage[] {
  const n = order.length;
  const images: RgbImage[] = [];
  for (let s = 0; s <= steps; s++) {
    const k = Math.round((s * n) / steps);
    const data = mode === "insertion" ? new Float32Array(image.data.length).fill(baseline) : image.data.slice();
    for (let i = 0; i < k; i++) {
      const o = order[i] * 3;
      if (mode === "insertion") data.set(image.data.subarray(o, o + 3), o);
      else data.fill(baseline, o, o + 3);
    }
    images.push({ width: image.width, height: image.height, data });
  }
  return images;
}

/**
 * Pixel insertion or deletion (METHOD.md §6; RISE/Xplique protocol; LIMA eqs. 13-14): rank pixels
 * by saliency, reveal (or remove) all channels of the top pixels in `steps` equal steps, y = target
 * probability, AUC = mean trapezoid over x ∈ [0, 1]. Method-agnostic: use it to compare maps.
 */
export async function pixelCurve(model: BlackBoxModel, image: RgbImage, map: SaliencyMap, mode: "insertion" | "deletion", options: PixelCurveOptions): Promise<Curve> {
  const steps = options.steps ?? 50;
  const baseline = options.baseline ?? 0;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps ${steps} is not allowed: use an integer ≥ 1`);
  checkMap(image, map);
  throwIfAborted(options.signal);
  const target = asTarget(options.target);
  const outputs = await model.run(stepImages(image, rankPixels(map), steps, baseline, mode), { signal: options.signal });
  const x = Array.from({ length: steps + 1 }, (_, s) => s / steps);
  const y = outputs.map((o) => targetScore(o, target));
  return { x, y, auc: trapezoid(x, y) };
}

/** Both pixel curves and the highest confidence of the insertion curve (LIMA eqs. 13-15). */
export async function pixelMetrics(model: BlackBoxModel, image: RgbImage, map: SaliencyMap, options: PixelCurveOptions): Promise<{ insertion: Curve; deletion: Curve; highestConfidence: Record<string, HighestConfidence> }> {
  const insertion = await pixelCurve(model, image, map, "insertion", options);
  const deletion = await pixelCurve(model, image, map, "deletion", options);
  return { insertion, deletion, highestConfidence: highestConfidence(insertion) };
}

/** LIMA §5: the number of insertion steps whose |Δy| exceeds `threshold` (default 0.5). */
export function strongInteractionCount(curve: { readonly y: readonly number[] }, threshold = 0.5): number {
  let count = 0;
  for (let i = 1; i < curve.y.length; i++) if (Math.abs(curve.y[i] - curve.y[i - 1]) > threshold) count++;
  return count;
}
