import { gridDivision } from "../division/grid";
import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { createRandom, type Random } from "../util/random";
import { BASELINE, SEED } from "../params/lima";
import type { ParamSpec } from "../params/types";
import { type BaselineControl, defaultsOf, positiveInteger, scoreGenerated } from "./common";

/** Options of {@link hsicAttribution} (METHOD.md §8). */
export interface HsicOptions extends BaselineControl {
  /** Number of perturbed images (designs) N; even (default 1536, about LIMA's forward passes at |V| = 49). */
  readonly designs?: number;
  /** The image is cut into a grid × grid lattice of cells, one variable each (default 8). */
  readonly grid?: number;
  /** Value of dropped pixels, 0..255 (default 0). */
  readonly baseline?: number;
  /** Seed of the design (default 0). */
  readonly seed?: number;
}

/** HSIC-Attribution's parameters: an 8 × 8 grid as in Novello et al. 2022; 1536 designs. */
export const HSIC_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "designs", label: "designs N", flag: "hsic-designs", default: 1536, min: 4, max: 100_000, integer: true, multipleOf: 2, step: 2, unit: "images", meaning: "perturbed images (even: half keep each cell)" },
  { kind: "number", name: "grid", label: "grid", flag: "hsic-grid", default: 8, min: 1, max: 64, integer: true, unit: "cells", meaning: "the image is cut into grid × grid cells, one variable each" },
  BASELINE,
  SEED,
];

/** HSIC-Attribution's defaults, from {@link HSIC_PARAMS}. */
export const HSIC_DEFAULTS = defaultsOf<{ designs: number; grid: number; baseline: number; seed: number }>(HSIC_PARAMS);

/**
 * A balanced binary design, the binary Latin hypercube of Novello et al.: for every cell, exactly
 * half of the N designs keep it (1) and half drop it (0), in a seeded random order independent
 * from the other cells. Returned cell-major: `design[cell * n + i]`.
 */
export function balancedDesign(cells: number, n: number, random: Random): Uint8Array {
  const design = new Uint8Array(cells * n);
  for (let c = 0; c < cells; c++) {
    const column = design.subarray(c * n, (c + 1) * n);
    column.fill(1, 0, n / 2);
    for (let i = n - 1; i > 0; i--) {
      const j = random.int(i + 1);
      const t = column[i];
      column[i] = column[j];
      column[j] = t;
    }
  }
  return design;
}

/**
 * The doubly centred Gram matrix HLH of the outputs under a Gaussian kernel
 * l(y, y') = exp(−(y − y')² / (2σ²)), σ the median of the non-zero pairwise distances |y − y'| (the
 * median heuristic). Returns undefined when the outputs do not vary (no dependence to measure).
 */
export function centredOutputGram(y: Float64Array): Float64Array | undefined {
  const n = y.length;
  const all = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) all[k++] = Math.abs(y[a] - y[b]);
  // Pairs with equal outputs (a saturated model) carry no scale: the median is taken over the others.
  const distances = all.filter((d) => d > 0).sort();
  if (distances.length === 0) return undefined;
  const half = distances.length >> 1;
  const sigma = distances.length % 2 ? distances[half] : (distances[half - 1] + distances[half]) / 2;
  const l = new Float64Array(n * n);
  const rowMean = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const d = y[a] - y[b];
      const v = Math.exp(-(d * d) / (2 * sigma * sigma));
      l[a * n + b] = v;
      rowMean[a] += v / n;
    }
  }
  let mean = 0;
  for (let a = 0; a < n; a++) mean += rowMean[a] / n;
  // L is symmetric, so column means equal row means: HLH = L − r1ᵀ − 1rᵀ + m.
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) l[a * n + b] += mean - rowMean[a] - rowMean[b];
  return l;
}

/**
 * HSIC between one binary variable x (a cell kept or dropped in each design) and the outputs,
 * with the Dirac kernel k(x, x') = δ(x = x') on the input: tr(K·HLH) / (N − 1)². Because the
 * rows of HLH sum to zero, Σ_{x_a = x_b} (HLH)_ab = 2·xᵀ(HLH)x.
 */
export function binaryHsic(x: Uint8Array, centredGram: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let a = 0; a < n; a++) {
    if (!x[a]) continue;
    const row = a * n;
    for (let b = 0; b < n; b++) if (x[b]) s += centredGram[row + b];
  }
  return (2 * s) / ((n - 1) * (n - 1));
}

/** Bilinear upsampling of a g × g grid of values to width × height (cell centres at (i + ½)·size/g, edges clamped). */
function upsampleGrid(values: Float64Array, g: number, width: number, height: number): Float32Array {
  const axis = (size: number) => {
    const lo = new Int32Array(size), t = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const u = Math.min(g - 1, Math.max(0, ((i + 0.5) * g) / size - 0.5));
      lo[i] = Math.min(g - 2, Math.floor(u));
      t[i] = u - lo[i];
    }
    return { lo, t };
  };
  const out = new Float32Array(width * height);
  if (g === 1) return out.fill(values[0]);
  const ax = axis(width), ay = axis(height);
  for (let y = 0; y < height; y++) {
    const r0 = ay.lo[y] * g, r1 = r0 + g, ty = ay.t[y];
    for (let x = 0; x < width; x++) {
      const c = ax.lo[x], tx = ax.t[x];
      const top = values[r0 + c] * (1 - tx) + values[r0 + c + 1] * tx;
      const bottom = values[r1 + c] * (1 - tx) + values[r1 + c + 1] * tx;
      out[y * width + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * HSIC-Attribution (Novello, Fel & Vigouroux 2022, "Making Sense of Dependence"): N images in
 * which each cell of a g × g grid is kept or replaced by the baseline following a balanced binary
 * design; the importance of a cell is the Hilbert–Schmidt independence criterion between its
 * kept/dropped variable and the target score (Dirac kernel on the cell, Gaussian kernel with the
 * median heuristic on the score). The per-cell values are bilinearly upsampled to the image.
 * HSIC measures dependence, not its sign: the map is ≥ 0. Seeded and batched; N forward passes.
 */
export async function hsicAttribution(model: BlackBoxModel, image: RgbImage, options: HsicOptions): Promise<SaliencyMap> {
  const n = positiveInteger("designs", options.designs ?? HSIC_DEFAULTS.designs);
  if (n < 4 || n % 2) throw new RangeError(`designs ${n} is not allowed: use an even number ≥ 4 (half of the designs keep each cell)`);
  const g = positiveInteger("grid", options.grid ?? HSIC_DEFAULTS.grid);
  const baseline = options.baseline ?? HSIC_DEFAULTS.baseline;
  const { width, height } = image;
  // The cells are grid(g)'s patches; it also refuses a grid finer than the image.
  const { labels: cellOf, count: cells } = gridDivision(width, height, { n: g });
  const design = balancedDesign(cells, n, createRandom(options.seed ?? HSIC_DEFAULTS.seed));
  const scores = new Float64Array(n);
  await scoreGenerated(
    model,
    n,
    (i) => {
      const data = new Float32Array(image.data.length);
      for (let q = 0; q < cellOf.length; q++) {
        const keep = design[cellOf[q] * n + i] === 1;
        for (let c = 0; c < 3; c++) data[3 * q + c] = keep ? image.data[3 * q + c] : baseline;
      }
      return { width, height, data };
    },
    (i, score) => {
      scores[i] = score;
    },
    options,
  );
  const gram = centredOutputGram(scores);
  const values = new Float64Array(cells);
  if (gram) for (let c = 0; c < cells; c++) values[c] = binaryHsic(design.subarray(c * n, (c + 1) * n), gram);
  return { width, height, data: upsampleGrid(values, g, width, height) };
}
