import { existsSync, statSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { IMAGE_EXTENSIONS, sameStemImage } from "../image/load";
import type { Preprocessing } from "../model/card";
import { checkParam } from "../params/types";
import { REGIONS } from "../params/regions";
import type { Division } from "../types";
import { checkSize } from "./check";

/**
 * A division from a label image (issue 10, `--regions-from`): one region per distinct value,
 * kept as given — no merging of equal values that lie apart, no splitting, no re-labelling by
 * position. Region i is the i-th smallest value, so the ids' order is kept (ids 0..k−1 stay
 * themselves). This is how SAM masks or hand-drawn regions come in. |V| must lie in the schema's
 * REGIONS range.
 */
export function labelsDivision(values: ArrayLike<number>, width: number, height: number): Division {
  checkSize("label image", width, height);
  if (values.length !== width * height) throw new RangeError(`label image has ${values.length} values; ${width}×${height} needs ${width * height}`);
  const distinct = [...new Set(Array.from(values))].sort((a, b) => a - b);
  const bad = distinct.find((v) => !Number.isInteger(v));
  if (bad !== undefined) throw new RangeError(`label value ${bad} is not allowed: region ids are integers`);
  try {
    checkParam(REGIONS, distinct.length);
  } catch {
    throw new RangeError(`the label image has ${distinct.length} distinct values (regions); use ${REGIONS.min}..${REGIONS.max}`);
  }
  const index = new Map(distinct.map((v, i) => [v, i]));
  const labels = new Int32Array(values.length);
  for (let p = 0; p < labels.length; p++) labels[p] = index.get(values[p])!;
  return { width, height, labels, count: distinct.length, method: "labels" };
}

/**
 * Reads a label image (grey values, or RGB packed as r·65536 + g·256 + b, each value a region
 * id) and brings it to the model's input geometry with the same resize and centre crop as the
 * photo (METHOD.md §1), by nearest neighbour so no new values appear. A grey image (or an RGB
 * one whose channels are equal everywhere) uses the grey value as the id.
 */
export async function loadRegionLabels(file: string | Uint8Array, pre: Pick<Preprocessing, "size" | "resize">): Promise<Division> {
  const [height, width] = pre.size;
  let input = sharp(file).removeAlpha().toColourspace("srgb");
  if (pre.resize === "stretch") input = input.resize(width, height, { fit: "fill", kernel: "nearest" });
  else {
    const shorter = Math.round((Math.min(width, height) * 256) / 224);
    input = input.resize(shorter, shorter, { fit: "outside", kernel: "nearest" });
  }
  const { data, info } = await input.raw().toBuffer({ resolveWithObject: true });
  const c = info.channels;
  const left = Math.floor((info.width - width) / 2), top = Math.floor((info.height - height) / 2);
  let grey = true;
  for (let q = 0; q < info.width * info.height && grey; q++) if (c >= 3 && (data[q * c] !== data[q * c + 1] || data[q * c] !== data[q * c + 2])) grey = false;
  const values = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = ((top + y) * info.width + left + x) * c;
      values[y * width + x] = grey || c < 3 ? data[q] : data[q] * 65536 + data[q + 1] * 256 + data[q + 2];
    }
  }
  return labelsDivision(values, width, height);
}

/**
 * The label image of a photo under `source` (`--regions-from` of explain, eval and explore):
 * `source` itself when it is a file (one label image for every photo), else the image in that
 * folder with the photo's name stem (`n01_goldfinch.JPEG` → `n01_goldfinch.png`, any of
 * {@link IMAGE_EXTENSIONS}). A RangeError naming what is missing otherwise.
 */
export function labelImageFor(source: string, photoName: string): string {
  if (!existsSync(source)) throw new RangeError(`--regions-from ${source} does not exist`);
  if (!statSync(source).isDirectory()) return source;
  const file = sameStemImage(source, photoName);
  if (!file) throw new RangeError(`--regions-from ${source} has no label image for ${photoName} (expected ${path.parse(photoName).name}.png or another of ${IMAGE_EXTENSIONS.join(", ")})`);
  return file;
}
