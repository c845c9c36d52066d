import type { BlackBoxModel } from "../model/types";
import { type ScoreTarget, targetScore } from "../score/terms";
import type { RgbImage, RunControl, SaliencyMap } from "../types";
import { throwIfAborted } from "../util/abort";
import { createRandom } from "../util/random";
import { pearson, spearman } from "./stats";

/** Options of {@link muFidelity} (METHOD.md §6). */
export interface MuFidelityOptions extends RunControl {
  readonly target: number | ScoreTarget;
  /** g: masks are drawn on a g×g grid (default 9). */
  readonly grid?: number;
  /** n: number of random masks (default 200). */
  readonly samples?: number;
  /** Probability that a cell is dropped (default 0.2). */
  readonly dropProbability?: number;
  /** Value of dropped pixels, 0..255 (default 0). */
  readonly baseline?: number;
  /** Correlation (default "spearman"). */
  readonly correlation?: "spearman" | "pearson";
  /** Seed of the mask generator (default 0). */
  readonly seed?: number;
}

/**
 * μFidelity (METHOD.md §6): for n random g×g cell masks (nearest-upsampled, each cell dropped with
 * probability p), correlate f(x) − f(x_masked) with the sum of the map over the dropped pixels.
 */
export async function muFidelity(model: BlackBoxModel, image: RgbImage, map: SaliencyMap, options: MuFidelityOptions): Promise<number> {
  const g = options.grid ?? 9, n = options.samples ?? 200, p = options.dropProbability ?? 0.2, baseline = options.baseline ?? 0;
  if (!Number.isInteger(g) || g < 1) throw new RangeError(`grid ${g} is not allowed: use an integer ≥ 1`);
  if (!Number.isInteger(n) || n < 3) throw new RangeError(`samples ${n} is not allowed: use an integer ≥ 3`);
  if (!(p > 0 && p < 1)) throw new RangeError(`dropProbability ${p} is not allowed: use 0 < p < 1`);
  if (map.width !== image.width || map.height !== image.height) throw new RangeError(`saliency map is ${map.width}×${map.height}; the image is ${image.width}×${image.height}`);
  const target: ScoreTarget = typeof options.target === "number" ? { kind: "class", index: options.target } : options.target;
  const random = createRandom(options.seed ?? 0);
  const { width, height } = image;
  const cellOf = new Int32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) cellOf[y * width + x] = Math.floor((y * g) / height) * g + Math.floor((x * g) / width);
  const cellSaliency = new Float64Array(g * g);
  map.data.forEach((v, i) => (cellSaliency[cellOf[i]] += v));
  const [full] = await model.run([image], { signal: options.signal });
  const f0 = targetScore(full, target);
  const drops: number[] = [], sums: number[] = [];
  const chunk = Math.max(1, model.batchSize);
  for (let start = 0; start < n; start += chunk) {
    throwIfAborted(options.signal);
    const masks = Array.from({ length: Math.min(chunk, n - start) }, () => Uint8Array.from({ length: g * g }, () => (random.next() < p ? 1 : 0)));
    const images = masks.map((dropped) => {
      const data = image.data.slice();
      for (let i = 0; i < cellOf.length; i++) if (dropped[cellOf[i]]) data.fill(baseline, 3 * i, 3 * i + 3);
      return { width, height, data };
    });
    const outs = await model.run(images, { signal: options.signal });
    outs.forEach((o, k) => {
      drops.push(f0 - targetScore(o, target));
      sums.push(masks[k].reduce((s, d, c) => s + (d ? cellSaliency[c] : 0), 0));
    });
  }
  return (options.correlation ?? "spearman") === "spearman" ? spearman(drops, sums) : pearson(drops, sums);
}
