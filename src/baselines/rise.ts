import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { guidedSubsets, type SamplerName, checkSampler, samplerParam } from "../sampling";
import { createRandom, type Random } from "../util/random";
import { BASELINE, SEED } from "../params/lima";
import type { ParamSpec } from "../params/types";
import { type BaselineControl, defaultsOf, positiveInteger, scoreGenerated } from "./common";

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
  /**
   * "native" (default): every mask's grid cells kept with `keepProbability`. "guided": the first
   * ⌈masks/2⌉ so, then the map so far averaged per grid cell gives φ, and the other ⌊masks/2⌋
   * grids are drawn by attribution-guided sampling (SALVAGE Algorithm 3) over the g² cells. As the
   * keep rate then differs from p, the guided map is Σ s·M / Σ M (per pixel) over all masks.
   */
  readonly sampler?: SamplerName;
}

/** RISE's parameters (Petsiuk et al. 2018; METHOD.md §8): 4000 masks on a 7×7 grid, p = 0.5. */
export const RISE_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "masks", label: "masks N", flag: "rise-masks", default: 4000, min: 1, max: 100_000, integer: true, unit: "masks", meaning: "number of random masks (one forward pass each)" },
  { kind: "number", name: "grid", label: "grid g", flag: "rise-grid", default: 7, min: 1, max: 64, integer: true, unit: "cells", meaning: "side of the low-resolution mask grid" },
  { kind: "number", name: "keepProbability", label: "keep p", flag: "rise-keep", default: 0.5, min: 0.01, max: 0.99, step: 0.01, meaning: "probability that a grid cell is kept" },
  BASELINE,
  SEED,
  samplerParam("rise-sampler"),
];

/** RISE's defaults, from {@link RISE_PARAMS}. */
export const RISE_DEFAULTS = defaultsOf<{ masks: number; grid: number; keepProbability: number; baseline: number; seed: number }>(RISE_PARAMS);

/** Linear-interpolation taps of one axis: output pixel i reads cells lo[i] and lo[i] + 1 (clamped) with weight t[i] on the second. */
function taps(size: number, g: number, cell: number, shift: number): { lo: Int32Array; hi: Int32Array; t: Float32Array } {
  // The g cells are stretched over (g + 1)·cell pixels (pixel centres at +0.5, edges clamped,
  // as an order-1 image resize does), and the window [shift, shift + size) is cut out of that.
  const scale = ((g + 1) * cell) / g;
  const lo = new Int32Array(size), hi = new Int32Array(size), t = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = Math.min(g - 1, Math.max(0, (i + shift + 0.5) / scale - 0.5));
    lo[i] = Math.floor(u);
    hi[i] = Math.min(g - 1, lo[i] + 1);
    t[i] = u - lo[i];
  }
  return { lo, hi, t };
}

/**
 * One RISE mask: a g×g binary grid (each cell kept with probability p), bilinearly upsampled to
 * (g+1)·cell pixels with cell = ⌈size/g⌉, and cropped at a random shift in [0, cell) on each axis.
 * Every pixel's expected value is p, so a model that ignores its input gets a flat map.
 */
function riseMask(width: number, height: number, g: number, p: number, random: Random, given?: Uint8Array): Float32Array {
  const cells = given ?? Uint8Array.from({ length: g * g }, () => (random.next() < p ? 1 : 0));
  const cw = Math.ceil(width / g), ch = Math.ceil(height / g);
  const tx = taps(width, g, cw, random.int(cw));
  const ty = taps(height, g, ch, random.int(ch));
  // Interpolate along x once per grid row, then along y per pixel.
  const rows = new Float32Array(g * width);
  for (let cy = 0; cy < g; cy++) {
    for (let x = 0; x < width; x++) rows[cy * width + x] = cells[cy * g + tx.lo[x]] * (1 - tx.t[x]) + cells[cy * g + tx.hi[x]] * tx.t[x];
  }
  const mask = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const a = ty.lo[y] * width, b = ty.hi[y] * width, t = ty.t[y];
    for (let x = 0; x < width; x++) mask[y * width + x] = rows[a + x] * (1 - t) + rows[b + x] * t;
  }
  return mask;
}

/**
 * RISE (Petsiuk et al. 2018): saliency = Σ_masks p_c(I ⊙ M) · M / (N · p), with random
 * low-resolution binary masks, bilinear upsampling and random shifts. Seeded and batched.
 */
export async function rise(model: BlackBoxModel, image: RgbImage, options: RiseOptions): Promise<SaliencyMap> {
  const n = positiveInteger("masks", options.masks ?? RISE_DEFAULTS.masks);
  const g = positiveInteger("grid", options.grid ?? RISE_DEFAULTS.grid);
  const p = options.keepProbability ?? RISE_DEFAULTS.keepProbability;
  if (!(p > 0 && p < 1)) throw new RangeError(`keepProbability ${p} is not allowed: use 0 < p < 1`);
  const baseline = options.baseline ?? RISE_DEFAULTS.baseline;
  const { width, height } = image;
  const random = createRandom(options.seed ?? RISE_DEFAULTS.seed);
  const sampler = checkSampler(options.sampler ?? "native");
  if (sampler === "guided") return guidedRise(model, image, options, n, g, p, baseline, random);
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

/** RISE with the second half of its grids drawn by attribution-guided sampling (see RiseOptions.sampler). */
async function guidedRise(model: BlackBoxModel, image: RgbImage, options: RiseOptions, n: number, g: number, p: number, baseline: number, random: Random): Promise<SaliencyMap> {
  const { width, height } = image;
  const sal = new Float64Array(width * height), cover = new Float64Array(width * height);
  const run = async (count: number, cells: (i: number) => Uint8Array | undefined) => {
    const pending = new Map<number, Float32Array>();
    await scoreGenerated(
      model,
      count,
      (i) => {
        const mask = riseMask(width, height, g, p, random, cells(i));
        pending.set(i, mask);
        const data = new Float32Array(image.data.length);
        for (let q = 0; q < mask.length; q++) for (let c = 0; c < 3; c++) data[3 * q + c] = image.data[3 * q + c] * mask[q] + baseline * (1 - mask[q]);
        return { width, height, data };
      },
      (i, score) => {
        const mask = pending.get(i)!;
        pending.delete(i);
        for (let q = 0; q < mask.length; q++) {
          sal[q] += score * mask[q];
          cover[q] += mask[q];
        }
      },
      options,
    );
  };
  const first = Math.ceil(n / 2);
  await run(first, () => undefined);
  // φ of each grid cell: the conditional mean score over the cell's block of pixels.
  const phi = new Float64Array(g * g), count = new Float64Array(g * g);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = Math.min(g - 1, Math.floor((y * g) / height)) * g + Math.min(g - 1, Math.floor((x * g) / width));
      const q = y * width + x;
      phi[c] += cover[q] > 0 ? sal[q] / cover[q] : 0;
      count[c]++;
    }
  }
  for (let c = 0; c < g * g; c++) phi[c] /= Math.max(1, count[c]);
  const grids = guidedSubsets(phi, n - first, random).coalitions;
  await run(n - first, (i) => grids[i]);
  return { width, height, data: Float32Array.from(sal, (v, q) => (cover[q] > 0 ? v / cover[q] : 0)) };
}
