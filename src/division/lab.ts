import type { RgbImage } from "../types";

/** sRGB companding inverse: 0..255 → linear 0..1 (IEC 61966-2-1). */
function linear(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/** The CIELab companding function f(t) (CIE 15, κ = 24389/27, ε = 216/24389). */
function f(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116;
}

/** Linearised sRGB for 0..255 at integer steps, interpolated in between (257 entries, the last a guard). */
const LINEAR = Float64Array.from({ length: 257 }, (_, i) => linear(Math.min(i, 255)));

/** Linear sRGB of one raw channel value; NaN and values outside 0..255 are clamped (NaN → 0). */
function toLinear(v: number): number {
  const c = v >= 0 ? (v <= 255 ? v : 255) : 0;
  const i = Math.floor(c);
  return LINEAR[i] + (c - i) * (LINEAR[i + 1] - LINEAR[i]);
}

/**
 * sRGB (raw 0..255) to CIELab (D65 white), used by SLICO (METHOD.md §2). Interleaved output like
 * the input: [L, a, b] per pixel, length width·height·3.
 */
export function rgbToLab(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(3 * n);
  const d = image.data;
  for (let p = 0; p < n; p++) {
    const r = toLinear(d[3 * p]);
    const g = toLinear(d[3 * p + 1]);
    const b = toLinear(d[3 * p + 2]);
    const x = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const y = f(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const z = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    out[3 * p] = 116 * y - 16;
    out[3 * p + 1] = 500 * (x - y);
    out[3 * p + 2] = 200 * (y - z);
  }
  return out;
}
