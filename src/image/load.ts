import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { RgbImage } from "../types";
import type { Preprocessing } from "../model/card";

/** File extensions of the images a folder is listed for (what sharp decodes: photos, label images, masks), lower case. */
export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif"] as const;

/** Whether a file name has one of the {@link IMAGE_EXTENSIONS} (any case). */
export function isImageFile(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot >= 0 && (IMAGE_EXTENSIONS as readonly string[]).includes(name.slice(dot).toLowerCase());
}

/**
 * The image in `folder` with the name stem of `name` (`n01_goldfinch.JPEG` → `n01_goldfinch.png`,
 * any of {@link IMAGE_EXTENSIONS}; the first by name when several), or undefined when none. For
 * files that go with a photo: label images, annotation masks.
 */
export function sameStemImage(folder: string, name: string): string | undefined {
  const stem = path.parse(name).name;
  const file = readdirSync(folder).sort().find((f) => path.parse(f).name === stem && isImageFile(f));
  return file === undefined ? undefined : path.join(folder, file);
}

/** Images larger than this many pixels are refused before decoding (decompression bombs). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** A decoding problem: the message names the file and says what is wrong. */
export class ImageError extends Error {
  override name = "ImageError";
}

/** Options of {@link loadImage}. */
export interface LoadImageOptions {
  /** Refuse images with more pixels than this (default {@link DEFAULT_MAX_PIXELS}). */
  readonly maxPixels?: number;
}

/** A decoded photo at its own resolution (after EXIF orientation), 8-bit RGB. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** HWC, 3 channels, 0..255. */
  readonly data: Uint8Array;
}

function describe(source: string | Uint8Array): string {
  return typeof source === "string" ? source : `<${source.length}-byte buffer>`;
}

/**
 * Decodes JPEG, PNG, WebP, TIFF, GIF… through sharp into 8-bit sRGB: EXIF orientation applied,
 * greyscale expanded to three channels, alpha dropped, 16-bit reduced to 8-bit.
 * Directories, corrupt or truncated files and images above `maxPixels` raise {@link ImageError}.
 */
export async function decodeImage(
  source: string | Uint8Array,
  options: LoadImageOptions = {},
): Promise<DecodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(Number.isFinite(maxPixels) && maxPixels > 0)) {
    throw new RangeError(`maxPixels ${maxPixels} is not allowed: use a positive number of pixels`);
  }
  const name = describe(source);
  if (typeof source === "string" && statSync(source, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ImageError(`cannot read image ${name}: it is a directory, not an image file`);
  }
  try {
    const { data, info } = await sharp(source, { failOn: "warning", limitInputPixels: maxPixels })
      .rotate()
      .toColourspace("srgb")
      .removeAlpha()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw new ImageError(`cannot read image ${name}: ${imageReason(error, maxPixels)}`);
  }
}

function imageReason(error: unknown, maxPixels: number): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(text)) return `it has more than ${maxPixels} pixels (the maxPixels limit)`;
  if (/no such file|ENOENT|missing/i.test(text)) return "no such file";
  if (/unsupported image format/i.test(text)) return "not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)";
  if (/premature end|truncated|corrupt|invalid|bad/i.test(text)) return `the file is corrupt or truncated (${firstLine(text)})`;
  return firstLine(text);
}

function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

/**
 * Resizes a decoded photo to a model's input (METHOD.md §1): `stretch` resizes both sides to the
 * input size; `shorter-side-256-center-crop` resizes the shorter side to size·256/224 and crops
 * the centre. Returns raw 0..255 RGB at model resolution (no normalisation: that is the model's).
 */
export async function toModelInput(decoded: DecodedImage, pre: Preprocessing): Promise<RgbImage> {
  const [height, width] = pre.size;
  const input = sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: 3 } });
  if (pre.resize === "stretch") {
    const out = await input.resize(width, height, { fit: "fill", kernel: "lanczos3" }).raw().toBuffer();
    return { width, height, data: Float32Array.from(out) };
  }
  const shorter = Math.round((Math.min(width, height) * 256) / 224);
  const { data, info } = await input
    .resize(shorter, shorter, { fit: "outside", kernel: "lanczos3" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return centreCrop({ width: info.width, height: info.height, data }, width, height);
}

function centreCrop(src: { width: number; height: number; data: Uint8Array }, width: number, height: number): RgbImage {
  const left = Math.floor((src.width - width) / 2);
  const top = Math.floor((src.height - height) / 2);
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * src.width + left) * 3;
    for (let i = 0; i < width * 3; i++) out[y * width * 3 + i] = src.data[from + i];
  }
  return { width, height, data: out };
}

/** Decodes a file or buffer and prepares it for a model: {@link decodeImage} then {@link toModelInput}. */
export async function loadImage(
  source: string | Uint8Array,
  pre: Preprocessing,
  options: LoadImageOptions = {},
): Promise<RgbImage> {
  return toModelInput(await decodeImage(source, options), pre);
}
