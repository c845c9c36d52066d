import type { Division, RgbImage } from "../types";
import { enforceConnectivity } from "./connectivity";
import { rgbToLab } from "./lab";

/** Options of {@link slicoDivision}. */
export interface SlicoOptions {
  /** Target |V| (default 49); the actual count is reported by the division. */
  readonly regions?: number;
  /** k-means iterations (default 10). */
  readonly iterations?: number;
}

interface Seeds {
  readonly l: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Seeds on a rows×cols grid (rows·cols ≈ target), each moved to the lowest-gradient pixel of its 3×3 neighbourhood. */
function placeSeeds(lab: Float32Array, width: number, height: number, target: number): Seeds {
  const rows = Math.max(1, Math.round(Math.sqrt((target * height) / width)));
  const cols = Math.max(1, Math.round(target / rows));
  const n = width * height;
  const grad = (x: number, y: number) => {
    const p = y * width + x;
    let g = 0;
    for (let c = 0; c < 3; c++) {
      const dx = lab[c * n + p + 1] - lab[c * n + p - 1];
      const dy = lab[c * n + p + width] - lab[c * n + p - width];
      g += dx * dx + dy * dy;
    }
    return g;
  };
  const seeds = { l: new Float64Array(rows * cols), a: new Float64Array(rows * cols), b: new Float64Array(rows * cols), x: new Float64Array(rows * cols), y: new Float64Array(rows * cols) };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let bx = Math.min(width - 1, Math.floor(((c + 0.5) * width) / cols));
      let by = Math.min(height - 1, Math.floor(((r + 0.5) * height) / rows));
      let best = Infinity;
      const cx = bx, cy = by;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = cx + dx, y = cy + dy;
          if (x < 1 || y < 1 || x >= width - 1 || y >= height - 1) continue;
          const g = grad(x, y);
          if (g < best) [best, bx, by] = [g, x, y];
        }
      }
      const k = r * cols + c, p = by * width + bx;
      seeds.l[k] = lab[p];
      seeds.a[k] = lab[n + p];
      seeds.b[k] = lab[2 * n + p];
      seeds.x[k] = bx;
      seeds.y[k] = by;
    }
  }
  return seeds;
}

/**
 * SLICO (METHOD.md §2): zero-parameter SLIC on CIELab — the colour distance of each cluster is
 * normalised by the largest colour distance that cluster saw in the previous iteration (adaptive
 * compactness), the spatial distance by the seed step S = √(W·H/|V|) — seeds on a regular grid,
 * a 2S search window, then connectivity enforcement (pieces below a quarter of the mean region
 * size, and stray pieces, merge into a neighbour). Deterministic.
 */
export function slicoDivision(image: RgbImage, options: SlicoOptions = {}): Division {
  const { width, height } = image;
  const target = options.regions ?? 49;
  const iterations = options.iterations ?? 10;
  if (!Number.isInteger(target) || target < 2 || target > (width * height) / 4) {
    throw new RangeError(`slico regions ${target} is not allowed: use an integer 2..${Math.floor((width * height) / 4)} (at least 4 pixels a region)`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`slico iterations ${iterations} is not allowed: use an integer ≥ 1`);
  const lab = rgbToLab(image);
  // Clusters can vanish or be merged away; re-seed (at most twice) with more seeds to land near the target.
  let best = slicoOnce(lab, width, height, target, target, iterations);
  let seeds = target;
  for (let attempt = 0; attempt < 2 && Math.abs(best.count - target) > Math.max(1, target * 0.04); attempt++) {
    seeds = Math.max(2, Math.round(seeds * (target / best.count)));
    const next = slicoOnce(lab, width, height, seeds, target, iterations);
    if (Math.abs(next.count - target) < Math.abs(best.count - target)) best = next;
  }
  return { width, height, labels: best.labels, count: best.count, method: "slico" };
}

function slicoOnce(lab: Float32Array, width: number, height: number, seedCount: number, target: number, iterations: number) {
  const seeds = placeSeeds(lab, width, height, seedCount);
  const step = Math.sqrt((width * height) / seedCount);
  const labels = cluster(lab, width, height, seeds, step, iterations);
  return enforceConnectivity(labels, width, height, Math.max(1, Math.floor((width * height) / target / 4)));
}

function cluster(lab: Float32Array, width: number, height: number, s: Seeds, step: number, iterations: number): Int32Array {
  const n = width * height, k = s.l.length;
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const maxColour = new Float64Array(k).fill(100);
  const invStep2 = 1 / (step * step);
  const window = Math.ceil(step);
  const colour = (c: number, p: number) => {
    const dl = lab[p] - s.l[c], da = lab[n + p] - s.a[c], db = lab[2 * n + p] - s.b[c];
    return dl * dl + da * da + db * db;
  };
  for (let it = 0; it < iterations; it++) {
    dist.fill(Infinity);
    for (let c = 0; c < k; c++) {
      const x0 = Math.max(0, Math.floor(s.x[c] - window)), x1 = Math.min(width - 1, Math.ceil(s.x[c] + window));
      const y0 = Math.max(0, Math.floor(s.y[c] - window)), y1 = Math.min(height - 1, Math.ceil(s.y[c] + window));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const p = y * width + x;
          const dx = x - s.x[c], dy = y - s.y[c];
          const d = colour(c, p) / maxColour[c] + (dx * dx + dy * dy) * invStep2;
          if (d < dist[p]) {
            dist[p] = d;
            labels[p] = c;
          }
        }
      }
    }
    update(lab, width, height, labels, s, maxColour, colour);
  }
  return labels;
}

/** Moves each seed to the mean of its pixels and records its largest colour distance (SLICO's adaptive m). */
function update(lab: Float32Array, width: number, height: number, labels: Int32Array, s: Seeds, maxColour: Float64Array, colour: (c: number, p: number) => number): void {
  const n = width * height, k = s.l.length;
  const sum = new Float64Array(6 * k);
  for (let p = 0; p < n; p++) {
    const c = labels[p];
    if (c < 0) continue;
    sum[6 * c] += lab[p];
    sum[6 * c + 1] += lab[n + p];
    sum[6 * c + 2] += lab[2 * n + p];
    sum[6 * c + 3] += p % width;
    sum[6 * c + 4] += Math.floor(p / width);
    sum[6 * c + 5]++;
  }
  const newMax = new Float64Array(k);
  for (let p = 0; p < n; p++) {
    const c = labels[p];
    if (c >= 0) newMax[c] = Math.max(newMax[c], colour(c, p));
  }
  for (let c = 0; c < k; c++) {
    const count = sum[6 * c + 5];
    if (count === 0) continue;
    s.l[c] = sum[6 * c] / count;
    s.a[c] = sum[6 * c + 1] / count;
    s.b[c] = sum[6 * c + 2] / count;
    s.x[c] = sum[6 * c + 3] / count;
    s.y[c] = sum[6 * c + 4] / count;
    maxColour[c] = Math.max(1, newMax[c]);
  }
}
