import sharp from "sharp";
import type { RgbImage } from "../types";

/**
 * The value removed pixels take (METHOD.md §1): a grey level 0..255 (default 0, black), an
 * [r, g, b] colour such as the dataset mean, "blur" (the image blurred with a Gaussian of sigma
 * 10 pixels), or an image of the same size.
 */
export type BaselineOption = number | readonly [number, number, number] | "blur" | RgbImage;

/** A short stable description of a baseline, used in cache keys. */
export function baselineKey(option: BaselineOption): string {
  if (typeof option === "number") return `v${option}`;
  if (option === "blur") return "blur";
  if (Array.isArray(option)) return `c${option.join(",")}`;
  const img = option as RgbImage;
  return `img${img.width}x${img.height}:${hashFloats(img.data)}`;
}

/** FNV-1a over the bytes of a float array, as 8 hex digits. */
export function hashFloats(data: Float32Array): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function filled(image: RgbImage, rgb: readonly [number, number, number]): RgbImage {
  const data = new Float32Array(image.data.length);
  for (let p = 0; p < data.length; p += 3) {
    data[p] = rgb[0];
    data[p + 1] = rgb[1];
    data[p + 2] = rgb[2];
  }
  return { width: image.width, height: image.height, data };
}

function checkLevel(v: number): void {
  if (!(Number.isFinite(v) && v >= 0 && v <= 255)) throw new RangeError(`baseline value ${v} is not allowed: use 0..255, [r,g,b], "blur" or an image`);
}

/** Builds the baseline image for `image`. */
export async function resolveBaseline(image: RgbImage, option: BaselineOption = 0): Promise<RgbImage> {
  if (typeof option === "number") {
    checkLevel(option);
    return filled(image, [option, option, option]);
  }
  if (Array.isArray(option)) {
    if (option.length !== 3) throw new RangeError(`baseline colour ${JSON.stringify(option)} is not allowed: use three values 0..255`);
    option.forEach(checkLevel);
    return filled(image, option as [number, number, number]);
  }
  if (option === "blur") {
    const raw = Buffer.from(Uint8ClampedArray.from(image.data));
    const out = await sharp(raw, { raw: { width: image.width, height: image.height, channels: 3 } }).blur(10).raw().toBuffer();
    return { width: image.width, height: image.height, data: Float32Array.from(out) };
  }
  const img = option as RgbImage;
  if (typeof img !== "object" || img.width !== image.width || img.height !== image.height) {
    throw new RangeError(`baseline ${JSON.stringify(option)} is not allowed: use 0..255, [r,g,b], "blur" or an image of ${image.width}×${image.height}`);
  }
  return img;
}

/**
 * The image I⊙1[T] + baseline⊙(1−1[T]) for a set of regions T, given each region's pixel indices
 * (METHOD.md §1: masking in raw pixel space).
 */
export function compositeRegions(
  image: RgbImage,
  baseline: RgbImage,
  regionPixels: readonly Int32Array[],
  regions: readonly number[],
): RgbImage {
  const out = { width: image.width, height: image.height, data: new Float32Array(baseline.data.length) };
  return compositeRegionsInto(out, image, baseline, regionPixels, regions);
}

/**
 * {@link compositeRegions} written into an existing image `out` of the same size (no allocation):
 * the baseline is copied in one block, then the pixels of each region in T. Returns `out`.
 */
export function compositeRegionsInto(
  out: RgbImage,
  image: RgbImage,
  baseline: RgbImage,
  regionPixels: readonly Int32Array[],
  regions: readonly number[],
): RgbImage {
  const data = out.data;
  if (data.length !== baseline.data.length) throw new RangeError(`composite buffer of ${data.length} values does not fit a ${image.width}×${image.height} image`);
  data.set(baseline.data);
  const src = image.data;
  for (const r of regions) {
    const pixels = regionPixels[r];
    for (let k = 0; k < pixels.length; k++) {
      const o = pixels[k] * 3;
      data[o] = src[o];
      data[o + 1] = src[o + 1];
      data[o + 2] = src[o + 2];
    }
  }
  return out;
}

/**
 * {@link compositeRegionsInto} for normalised planar tensors (the model's input layout, see
 * `TensorInput`): `out` becomes the baseline's tensor with the image's values at the pixels of each
 * region in T, in each of the 3 planes. Returns `out`. When the regions cover every pixel and T
 * holds more than half of them (complement images, late S-images), it starts from the image and
 * writes the baseline at the regions outside T instead: the same tensor with at most half the
 * pixel writes.
 */
export function compositePlanarInto(
  out: Float32Array,
  image: Float32Array,
  baseline: Float32Array,
  regionPixels: readonly Int32Array[],
  regions: readonly number[],
): Float32Array {
  if (out.length !== baseline.length || image.length !== baseline.length || baseline.length % 3 !== 0) {
    throw new RangeError(`planar composite of ${out.length} values from an image of ${image.length} and a baseline of ${baseline.length}: all three must be equal and a multiple of 3`);
  }
  const plane = baseline.length / 3;
  let covered = 0, inside = 0;
  for (const pixels of regionPixels) covered += pixels.length;
  for (const r of regions) inside += regionPixels[r].length;
  if (covered !== plane || 2 * inside <= plane) {
    out.set(baseline);
    copyPlanarPixels(out, image, plane, regionPixels, regions);
    return out;
  }
  const member = new Uint8Array(regionPixels.length);
  for (const r of regions) member[r] = 1;
  const outside: number[] = [];
  for (let r = 0; r < regionPixels.length; r++) if (!member[r]) outside.push(r);
  out.set(image);
  copyPlanarPixels(out, baseline, plane, regionPixels, outside);
  return out;
}

/** Copies `from`'s values at the pixels of `regions` into `out`, in each of the 3 planes. */
function copyPlanarPixels(out: Float32Array, from: Float32Array, plane: number, regionPixels: readonly Int32Array[], regions: readonly number[]): void {
  for (const r of regions) {
    const pixels = regionPixels[r];
    for (let k = 0; k < pixels.length; k++) {
      const p = pixels[k];
      out[p] = from[p];
      out[p + plane] = from[p + plane];
      out[p + 2 * plane] = from[p + 2 * plane];
    }
  }
}
