import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { createRandom } from "../util/random";
import { type BaselineControl, positiveInteger, scoreGenerated } from "./common";

/** Options of {@link rise} (METHOD.md §8). */
export interface RiseOptions extends BaselineControl {
  /** Number of random masks N (default 4000). */
  readonly masks?: number;
  /** Grid size g of the low-resolution masks (default 7). */
  readonly grid?: number;
  /** Probability that a grid cell is kept (default 0.5). */
  readonly keepProbability?: number;
  /** Value of masked pixels, 0..255 (default 0). */
  readonly baseline?: number;
  /** Seed of the mask generator (default 0). */
  readonly seed?: number;
}

/** One RISE mask: a g×g binary grid, bilinearly upsampled to (g+1)·cell and cropped at a random shift. */
function riseMask(width: number, height: number, g: number, p: number, random: { next(): number; int(n: number): number }): Float32Array {
  const cells = Uint8Array.from({ length: g * g }, () => (random.next() < p ? 1 : 0));
  const cw = Math.ceil(width / g), ch = Math.ceil(height / g);
  const dx = random.int(cw), dy = random.int(ch);
  const mask = new Float32Array(width * height);
  const cell = (cx: number, cy: number) => (cx < 0 || cy < 0 || cx >= g || cy >= g ? 0 : cells[cy * g + cx]);
  for (let y = 0; y < height; y++) {
    const fy = (y + dy) / ch - 0.5, y0 = Math.floor(fy), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = (x + dx) / cw - 0.5, x0 = Math.floor(fx), tx = fx - x0;
      const top = cell(x0, y0) * (1 - tx) + cell(x0 + 1, y0) * tx;
      const bottom = cell(x0, y0 + 1) * (1 - tx) + cell(x0 + 1, y0 + 1) * tx;
      mask[y * width + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return mask;
}

/**
 * RISE (Petsiuk et al. 2018): saliency = Σ_masks p_c(I ⊙ M) · M / (N · p), with random
 * low-resolution binary masks, bilinear upsampling and random shifts. Seeded and batched.
 */
export async function rise(model: BlackBoxModel, image: RgbImage, options: RiseOptions): Promise<SaliencyMap> {
  const n = positiveInteger("masks", options.masks ?? 4000);
  const g = positiveInteger("grid", options.grid ?? 7);
  const p = options.keepProbability ?? 0.5;
  if (!(p > 0 && p < 1)) throw new RangeError(`keepProbability ${p} is not allowed: use 0 < p < 1`);
  const baseline = options.baseline ?? 0;
  const { width, height } = image;
  const random = createRandom(options.seed ?? 0);
  const sal = new Float64Array(width * height);
  const pending = new Map<number, Float32Array>();
  await scoreGenerated(
    model,
    n,
    (i) => {
      const mask = riseMask(width, height, g, p, random);
      pending.set(i, mask);
      const data = new Float32Array(image.data.length);
      for (let q = 0; q < mask.length; q++) {
        const m = mask[q];
        for (let c = 0; c < 3; c++) data[3 * q + c] = image.data[3 * q + c] * m + baseline * (1 - m);
      }
      return { width, height, data };
    },
    (i, score) => {
      const mask = pending.get(i)!;
      pending.delete(i);
      for (let q = 0; q < mask.length; q++) sal[q] += score * mask[q];
    },
    options,
  );
  return { width, height, data: Float32Array.from(sal, (v) => v / (n * p)) };
}
