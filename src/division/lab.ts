import type { RgbImage } from "../types";

function linear(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

function f(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116;
}

/** sRGB (0..255) to CIELab (D65), planar: [L..., a..., b...], each width·height long. */
export function rgbToLab(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(3 * n);
  const lut = new Float64Array(256);
  for (let i = 0; i < 256; i++) lut[i] = linear(i);
  const d = image.data;
  for (let p = 0; p < n; p++) {
    const r = lut[Math.max(0, Math.min(255, Math.round(d[3 * p])))];
    const g = lut[Math.max(0, Math.min(255, Math.round(d[3 * p + 1])))];
    const b = lut[Math.max(0, Math.min(255, Math.round(d[3 * p + 2])))];
    const x = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const y = f(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const z = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    out[p] = 116 * y - 16;
    out[n + p] = 500 * (x - y);
    out[2 * n + p] = 200 * (y - z);
  }
  return out;
}
