import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { labelImageFor, loadRegionLabels } from "../division/labels";
import { wnidFromFilename } from "../eval/labels";
import { IMAGE_EXTENSIONS, isImageFile } from "../image/load";
import { encodePng } from "../image/png";
import type { BlackBoxModel } from "../model/types";
import type { Division, RgbImage } from "../types";

/** A photo given to the explorer: the image at model resolution and its name. */
export interface NamedPhoto {
  readonly image: RgbImage;
  /** Shown under the thumbnail and above the map (plain text); an ImageNet-style name gives the true class. */
  readonly title: string;
  /**
   * The photo's own regions (e.g. from a label image, `explore --regions-from`), at the image's
   * size. Given for every photo, they replace the explorer's division controls.
   */
  readonly regions?: Division;
}

/** Image file extensions a folder is listed for (src/image/load.ts). */
export const PHOTO_EXTENSIONS = IMAGE_EXTENSIONS;

/** The image files of a folder (by extension), sorted by name; a RangeError when there are none. */
export function listPhotos(folder: string): string[] {
  if (!statSync(folder).isDirectory()) throw new RangeError(`${folder} is not a folder`);
  const files = readdirSync(folder)
    .filter(isImageFile)
    .sort()
    .map((f) => path.join(folder, f));
  if (files.length === 0) throw new RangeError(`${folder} holds no photos (allowed extensions: ${PHOTO_EXTENSIONS.join(", ")})`);
  return files;
}

/**
 * The true class of a photo from an ImageNet-style file name (`n01531178_goldfinch.JPEG`): the
 * label of the model class with that WordNet id, or "" when the name has none or the model's
 * labels carry no WordNet ids.
 */
export function trueLabel(title: string, model: BlackBoxModel): string {
  const wnid = wnidFromFilename(title);
  const classes = (model as { classes?: readonly { wnid?: string; label: string }[] }).classes;
  if (wnid === undefined || !classes) return "";
  return classes.find((c) => c.wnid === wnid)?.label ?? "";
}

/** A small PNG of the image (box-averaged to at most `size` pixels per side). */
export function thumbnailPng(image: RgbImage, size = 64): Uint8Array {
  const scale = Math.max(1, Math.max(image.width, image.height) / size);
  const w = Math.max(1, Math.round(image.width / scale));
  const h = Math.max(1, Math.round(image.height / scale));
  const out = new Uint8ClampedArray(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * image.width) / w), x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / w));
      const y0 = Math.floor((y * image.height) / h), y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / h));
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += image.data[(yy * image.width + xx) * 3 + c];
        out[(y * w + x) * 3 + c] = sum / ((x1 - x0) * (y1 - y0));
      }
    }
  }
  return new Uint8Array(encodePng(out, w, h));
}

/**
 * The photos with their regions read from label images (`explore --regions-from`): `source` one
 * label image for every photo, or a folder holding one per photo with the photo's name stem
 * ({@link labelImageFor}); each read as {@link loadRegionLabels} does, for the model's input.
 */
export async function withRegionsFrom(photos: readonly NamedPhoto[], source: string, card: Parameters<typeof loadRegionLabels>[1]): Promise<NamedPhoto[]> {
  const out: NamedPhoto[] = [];
  for (const p of photos) out.push({ ...p, regions: await loadRegionLabels(labelImageFor(source, p.title), card) });
  return out;
}
