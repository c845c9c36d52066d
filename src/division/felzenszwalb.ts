/**
 * Felzenszwalb–Huttenlocher graph segmentation (Felzenszwalb & Huttenlocher, "Efficient
 * graph-based image segmentation", IJCV 2004), the segmentation SEA-NN uses to pre-process
 * 224×224 inputs (Manupriya et al., §3.2 "Scaling to high-dimensional images", scale 500 on
 * ImageNet). Also a division strategy of its own.
 *
 * The image (raw 0..255 RGB) is smoothed by a Gaussian of width σ per channel; every pixel is a
 * vertex joined to its 8 neighbours by an edge weighted by the Euclidean RGB distance. Edges are
 * taken in increasing weight (ties by edge index, so the result is deterministic); an edge joins
 * its two components C₁, C₂ when w ≤ min(Int(C₁) + k/|C₁|, Int(C₂) + k/|C₂|), Int(C) being the
 * largest edge weight inside C (the weight of the edge that last merged it, edges coming in
 * increasing order) and k the scale. Then components smaller than `minSize` pixels are merged
 * along the sorted edges into a neighbour. The scale is in 0..255 colour units, the same number as
 * scikit-image's `felzenszwalb(scale=…)` on 8-bit images.
 */
import { checkParam, type NumberParam } from "../params/types";
import type { Division, RgbImage } from "../types";
import { checkSize } from "./check";

/** Options of {@link felzenszwalbDivision}; defaults in {@link FELZENSZWALB_PARAMS}. */
export interface FelzenszwalbOptions {
  /** k: larger values give larger segments, hence fewer (default 500, SEA-NN's ImageNet setting). */
  readonly scale?: number;
  /** Width of the Gaussian smoothing in pixels, 0 for none (default 0.8, the FH paper's). */
  readonly sigma?: number;
  /** Segments smaller than this many pixels are merged into a neighbour (default 20, scikit-image's). */
  readonly minSize?: number;
}

/** k, the scale: the one number that sets how many regions come out. */
export const FH_SCALE: NumberParam = {
  kind: "number", name: "scale", label: "scale k", flag: "fh-scale", default: 500, min: 1, max: 100000,
  meaning: "Felzenszwalb–Huttenlocher scale k (--division felzenszwalb): larger values give larger, hence fewer, regions; |V| follows from it and the photo (SEA-NN used 500 on ImageNet)",
};

export const FH_SIGMA: NumberParam = {
  kind: "number", name: "sigma", label: "σ", flag: "fh-sigma", default: 0.8, min: 0, max: 10, step: 0.1, unit: "pixels",
  meaning: "Felzenszwalb–Huttenlocher: width of the Gaussian smoothing before segmentation (0 = none)",
};

export const FH_MIN_SIZE: NumberParam = {
  kind: "number", name: "minSize", label: "min size", flag: "fh-min-size", default: 20, min: 1, max: 100000, integer: true, unit: "pixels",
  meaning: "Felzenszwalb–Huttenlocher: segments smaller than this are merged into a neighbour",
};

/** The parameters of {@link felzenszwalbDivision} as data (explorer sliders, CLI flags, SEA-NN's segments). */
export const FELZENSZWALB_PARAMS: readonly NumberParam[] = [FH_SCALE, FH_SIGMA, FH_MIN_SIZE];

/** The defaults of {@link FELZENSZWALB_PARAMS}, by option name. */
export const FELZENSZWALB_DEFAULTS: Readonly<Required<FelzenszwalbOptions>> = Object.freeze({ scale: FH_SCALE.default, sigma: FH_SIGMA.default, minSize: FH_MIN_SIZE.default });

/** Separable Gaussian blur of one channel with mirrored borders, radius ⌈4σ⌉. */
function blurChannel(src: Float64Array, width: number, height: number, sigma: number): Float64Array {
  if (sigma <= 0) return src;
  const r = Math.max(1, Math.ceil(4 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const mirror = (i: number, n: number) => {
    // Reflect about the edge (…, 1, 0 | 0, 1, …), repeated for kernels wider than the image.
    for (;;) {
      if (i < 0) i = -i - 1;
      else if (i >= n) i = 2 * n - i - 1;
      else return i;
    }
  };
  const tmp = new Float64Array(src.length), out = new Float64Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * src[y * width + mirror(x + i, width)];
      tmp[y * width + x] = s;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * tmp[mirror(y + i, height) * width + x];
      out[y * width + x] = s;
    }
  }
  return out;
}

function find(parent: Int32Array, a: number): number {
  while (parent[a] !== a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

/**
 * Divides an image by Felzenszwalb–Huttenlocher graph segmentation. Regions are connected and
 * numbered in raster order of their first pixel; the count follows from the image and the scale.
 */
export function felzenszwalbDivision(image: RgbImage, options: FelzenszwalbOptions = {}): Division {
  const { width, height } = image;
  checkSize("felzenszwalb image", width, height);
  const [scale, sigma, minSize] = FELZENSZWALB_PARAMS.map((spec) => {
    const value = options[spec.name as keyof FelzenszwalbOptions] ?? spec.default;
    try {
      return checkParam(spec, value) as number;
    } catch (error) {
      throw new RangeError(`felzenszwalb ${(error as Error).message}`);
    }
  });
  if (image.data.length !== width * height * 3) throw new RangeError(`image data has ${image.data.length} values; ${width}×${height} RGB needs ${width * height * 3}`);
  const n = width * height;
  const channels = [0, 1, 2].map((c) => {
    const ch = new Float64Array(n);
    for (let p = 0; p < n; p++) ch[p] = image.data[3 * p + c];
    return blurChannel(ch, width, height, sigma);
  });
  // 8-connected grid graph: right, down, down-right, up-right.
  const a: number[] = [], b: number[] = [], w: number[] = [];
  const dist = (p: number, q: number) => Math.hypot(channels[0][p] - channels[0][q], channels[1][p] - channels[1][q], channels[2][p] - channels[2][q]);
  const edge = (p: number, q: number) => (a.push(p), b.push(q), w.push(dist(p, q)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x + 1 < width) edge(p, p + 1);
      if (y + 1 < height) edge(p, p + width);
      if (x + 1 < width && y + 1 < height) edge(p, p + width + 1);
      if (x + 1 < width && y > 0) edge(p, p - width + 1);
    }
  }
  const order = Uint32Array.from(w.keys()).sort((i, j) => w[i] - w[j] || i - j);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const size = new Int32Array(n).fill(1);
  const internal = new Float64Array(n);
  const join = (ra: number, rb: number, weight: number) => {
    // Union by size; the root keeps the merged component's size and internal difference.
    const [big, small] = size[ra] >= size[rb] ? [ra, rb] : [rb, ra];
    parent[small] = big;
    size[big] += size[small];
    internal[big] = weight;
  };
  for (const e of order) {
    const ra = find(parent, a[e]), rb = find(parent, b[e]);
    if (ra === rb) continue;
    const weight = w[e];
    if (weight <= Math.min(internal[ra] + scale / size[ra], internal[rb] + scale / size[rb])) join(ra, rb, weight);
  }
  for (const e of order) {
    const ra = find(parent, a[e]), rb = find(parent, b[e]);
    if (ra !== rb && (size[ra] < minSize || size[rb] < minSize)) join(ra, rb, Math.max(internal[ra], internal[rb], w[e]));
  }
  const labelOfRoot = new Int32Array(n).fill(-1);
  const labels = new Int32Array(n);
  let count = 0;
  for (let p = 0; p < n; p++) {
    const r = find(parent, p);
    if (labelOfRoot[r] < 0) labelOfRoot[r] = count++;
    labels[p] = labelOfRoot[r];
  }
  return { width, height, labels, count, method: "felzenszwalb" };
}
