import { REGIONS } from "../params/regions";
import type { Division, RgbImage } from "../types";
import { checkSize } from "./check";
import { enforceConnectivity } from "./connectivity";
import { rgbToLab } from "./lab";

/** The seed layouts SLICO accepts. */
export const SEED_GRIDS = ["square", "hex"] as const;
export type SeedGrid = (typeof SEED_GRIDS)[number];

/** Options of {@link slicoDivision}. */
export interface SlicoOptions {
  /** Target |V| (default REGIONS.default of src/params/lima.ts); the division reports the actual count. */
  readonly regions?: number;
  /** k-means iterations (default 10, as in SLIC). */
  readonly iterations?: number;
  /**
   * Seed layout (default "square"): "square" puts the seeds in rows ≈ √(seeds·H/W), evenly spaced
   * in each row (rows·cols = seeds gives the plain grid); "hex" makes rows √3/2 of a step apart
   * and shifts every other row by half a step.
   */
  readonly grid?: SeedGrid;
}

/** Cluster centres in CIELab and pixel coordinates, one entry per seed. */
interface Centres {
  readonly l: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * slico(target |V|) — METHOD.md §2: zero-parameter SLIC (Achanta et al.'s SLICO) on CIELab.
 * Seeds sit on a square or hex grid with step S = √(W·H/seeds), each moved to the lowest-gradient
 * pixel of its 3×3 neighbourhood; every iteration assigns each pixel in a 2S×2S window around a
 * centre to the centre minimising d_c²/m_c² + d_s²/S², where m_c² is the largest squared colour
 * distance that cluster had in the previous iteration (the adaptive, per-cluster compactness of
 * SLICO; 10² before the first, at least 1). Connectivity enforcement then merges every stray
 * piece, and every piece under a quarter of the mean region size W·H/regions, into a neighbour,
 * so each region is one 4-connected piece. To land near the target it seeds 4% more clusters than
 * asked, and re-runs once with proportionally adjusted seeds when |V| still misses the target by
 * more than 6%. Deterministic: equal distances go to the lowest cluster index.
 */
export function slicoDivision(image: RgbImage, options: SlicoOptions = {}): Division {
  const { width, height } = image;
  const target = options.regions ?? REGIONS.default;
  const iterations = options.iterations ?? 10;
  const grid = options.grid ?? "square";
  validate(image, target, iterations, grid);
  const lab = rgbToLab(image);
  const minSize = Math.max(1, Math.floor((width * height) / target / 4));
  const run = (seeds: number) => superpixels(lab, width, height, { seeds, iterations, grid, minSize });
  let best = run(Math.round(target * OVERSEED));
  // Connectivity enforcement dissolves fragmented clusters, so |V| can fall short: one re-run
  // with proportionally more (or fewer) seeds, keeping whichever lands nearer the target.
  if (Math.abs(best.count - target) > countTolerance(target)) {
    const retry = run(Math.max(1, Math.min(4 * target, Math.round((target * target) / best.count))));
    if (Math.abs(retry.count - target) < Math.abs(best.count - target)) best = retry;
  }
  return { width, height, labels: best.labels, count: best.count, method: "slico" };
}

/** How far |V| may miss the target before SLICO re-runs with adjusted seeds: 6%, rounded (at least 1 region; 3 for 49). */
function countTolerance(target: number): number {
  return Math.max(1, Math.round(0.06 * target));
}

/**
 * Seeds per target region. Connectivity enforcement dissolves the clusters whose largest piece
 * is under the minimum size — on 224×224 photos with 49 seeds, 3 on average (0..8) — so SLICO
 * seeds 4% more clusters than the target (no change below 13 regions).
 */
const OVERSEED = 1.04;

/** One SLICO run with `seeds` seeds: seeding, k-means, connectivity enforcement. */
function superpixels(lab: Float32Array, width: number, height: number, o: { seeds: number; iterations: number; grid: SeedGrid; minSize: number }): { labels: Int32Array; count: number } {
  const centres = placeSeeds(lab, width, height, o.seeds, o.grid);
  const step = Math.sqrt((width * height) / centres.x.length);
  const labels = cluster(lab, width, height, centres, step, o.iterations);
  return enforceConnectivity(labels, width, height, o.minSize);
}

function validate(image: RgbImage, target: number, iterations: number, grid: string): void {
  const { width, height } = image;
  checkSize("slico image", width, height);
  if (image.data.length !== width * height * 3) {
    throw new RangeError(`slico image data has ${image.data.length} values; a ${width}×${height} RGB image needs ${width * height * 3}`);
  }
  const most = Math.floor((width * height) / 4);
  if (!Number.isInteger(target) || target < 1 || target > most) {
    throw new RangeError(`slico regions ${target} is not allowed: use an integer 1..${most} (at least 4 pixels a region)`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`slico iterations ${iterations} is not allowed: use an integer ≥ 1`);
  if (!(SEED_GRIDS as readonly string[]).includes(grid)) {
    throw new RangeError(`slico grid ${JSON.stringify(grid)} is not allowed: use one of ${SEED_GRIDS.join(", ")}`);
  }
}

/**
 * Seed positions: `rows` rows (square: rows ≈ √(seeds·H/W); hex: 2/√3 times as many, since hex
 * rows are √3/2 of a column step apart), the seeds spread as evenly as possible over the rows
 * (rows·cols = seeds gives the plain grid), each row's seeds evenly spaced; "hex" shifts
 * alternate rows by a quarter step left and right, half a step apart.
 */
function seedLayout(width: number, height: number, seeds: number, grid: SeedGrid): { x: Int32Array; y: Int32Array } {
  const aspect = grid === "hex" ? (2 * height) / (Math.sqrt(3) * width) : height / width;
  const rows = Math.min(height, seeds, Math.max(1, Math.round(Math.sqrt(seeds * aspect))));
  const perRow = Array.from({ length: rows }, (_, r) => Math.min(width, Math.floor(((r + 1) * seeds) / rows) - Math.floor((r * seeds) / rows)));
  const k = perRow.reduce((a, b) => a + b, 0);
  const xs = new Int32Array(k), ys = new Int32Array(k);
  let i = 0;
  perRow.forEach((cols, r) => {
    const shift = grid === "hex" ? (r % 2 === 0 ? 0.25 : 0.75) : 0.5;
    for (let c = 0; c < cols; c++, i++) {
      xs[i] = Math.min(width - 1, Math.floor(((c + shift) * width) / cols));
      ys[i] = Math.min(height - 1, Math.floor(((r + 0.5) * height) / rows));
    }
  });
  return { x: xs, y: ys };
}

/** Squared Lab gradient ‖I(x+1,y) − I(x−1,y)‖² + ‖I(x,y+1) − I(x,y−1)‖² of an interior pixel. */
function gradient(lab: Float32Array, width: number, p: number): number {
  let g = 0;
  for (let o = 3 * p; o < 3 * p + 3; o++) {
    const dx = lab[o + 3] - lab[o - 3];
    const dy = lab[o + 3 * width] - lab[o - 3 * width];
    g += dx * dx + dy * dy;
  }
  return g;
}

/** Seeds on the grid, each moved to the lowest-gradient interior pixel of its 3×3 neighbourhood (ties: raster order). */
function placeSeeds(lab: Float32Array, width: number, height: number, seeds: number, grid: SeedGrid): Centres {
  const layout = seedLayout(width, height, seeds, grid);
  const k = layout.x.length;
  const centres: Centres = { l: new Float64Array(k), a: new Float64Array(k), b: new Float64Array(k), x: new Float64Array(k), y: new Float64Array(k) };
  for (let i = 0; i < k; i++) {
    const cx = layout.x[i], cy = layout.y[i];
    let bx = cx, by = cy, best = Infinity;
    for (let y = Math.max(1, cy - 1); y <= Math.min(height - 2, cy + 1); y++) {
      for (let x = Math.max(1, cx - 1); x <= Math.min(width - 2, cx + 1); x++) {
        const g = gradient(lab, width, y * width + x);
        if (g < best) (best = g), (bx = x), (by = y);
      }
    }
    const p = by * width + bx;
    centres.l[i] = lab[3 * p];
    centres.a[i] = lab[3 * p + 1];
    centres.b[i] = lab[3 * p + 2];
    centres.x[i] = bx;
    centres.y[i] = by;
  }
  return centres;
}

/** The SLICO k-means loop; returns the cluster of every pixel (−1 where no window reached). */
function cluster(lab: Float32Array, width: number, height: number, centres: Centres, step: number, iterations: number): Int32Array {
  const n = width * height, k = centres.x.length;
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const maxColour = new Float64Array(k).fill(100);
  for (let it = 0; it < iterations; it++) {
    dist.fill(Infinity);
    for (let c = 0; c < k; c++) assignWindow(lab, width, height, centres, c, step, 1 / maxColour[c], labels, dist);
    updateCentres(lab, width, labels, centres, maxColour);
  }
  return labels;
}

/** Offers every pixel of the 2S×2S window around centre c to that centre (SLICO distance). */
function assignWindow(lab: Float32Array, width: number, height: number, s: Centres, c: number, step: number, invColour: number, labels: Int32Array, dist: Float64Array): void {
  const invStep2 = 1 / (step * step);
  const cx = s.x[c], cy = s.y[c], cl = s.l[c], ca = s.a[c], cb = s.b[c];
  const x0 = Math.max(0, Math.floor(cx - step)), x1 = Math.min(width - 1, Math.ceil(cx + step));
  const y0 = Math.max(0, Math.floor(cy - step)), y1 = Math.min(height - 1, Math.ceil(cy + step));
  for (let y = y0; y <= y1; y++) {
    const dyTerm = (y - cy) * (y - cy) * invStep2;
    for (let x = x0, p = y * width + x0; x <= x1; x++, p++) {
      const dl = lab[3 * p] - cl, da = lab[3 * p + 1] - ca, db = lab[3 * p + 2] - cb;
      const colour = dl * dl + da * da + db * db;
      const d = colour * invColour + (x - cx) * (x - cx) * invStep2 + dyTerm;
      if (d < dist[p]) {
        dist[p] = d;
        labels[p] = c;
      }
    }
  }
}

/** Moves every non-empty cluster to the mean of its pixels and records its largest squared colour distance (SLICO's m_c²). */
function updateCentres(lab: Float32Array, width: number, labels: Int32Array, s: Centres, maxColour: Float64Array): void {
  const n = labels.length, k = s.x.length;
  const sum = new Float64Array(6 * k);
  const newMax = new Float64Array(k);
  for (let p = 0, y = 0, x = 0; p < n; p++) {
    const c = labels[p];
    if (c >= 0) {
      const o = 6 * c;
      sum[o] += lab[3 * p];
      sum[o + 1] += lab[3 * p + 1];
      sum[o + 2] += lab[3 * p + 2];
      sum[o + 3] += x;
      sum[o + 4] += y;
      sum[o + 5]++;
      // The squared colour distance to the centre this assignment used (before it moves).
      const dl = lab[3 * p] - s.l[c], da = lab[3 * p + 1] - s.a[c], db = lab[3 * p + 2] - s.b[c];
      const colour = dl * dl + da * da + db * db;
      if (colour > newMax[c]) newMax[c] = colour;
    }
    if (++x === width) (x = 0), y++;
  }
  for (let c = 0; c < k; c++) {
    const count = sum[6 * c + 5];
    if (count === 0) continue;
    s.l[c] = sum[6 * c] / count;
    s.a[c] = sum[6 * c + 1] / count;
    s.b[c] = sum[6 * c + 2] / count;
    s.x[c] = sum[6 * c + 3] / count;
    s.y[c] = sum[6 * c + 4] / count;
    // A flat cluster would divide by 0; one squared Lab unit is below visible colour differences.
    maxColour[c] = Math.max(1, newMax[c]);
  }
}
