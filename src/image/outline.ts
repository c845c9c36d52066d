import type { Division, RgbImage } from "../types";

/** Options of {@link outlineRegions}. */
export interface OutlineOptions {
  /** Colour of the region borders, 0..255 each (default [255, 255, 0], yellow). */
  readonly colour?: readonly [number, number, number];
  /** Regions to keep as they are; the others are blended towards black by `dim` (default: keep all). */
  readonly highlight?: readonly number[];
  /** How much the regions not highlighted are darkened, 0..1 (default 0.6; only with `highlight`). */
  readonly dim?: number;
}

/**
 * A picture of a division (METHOD.md §2): the image with every pixel on a region border (a pixel
 * whose right or lower neighbour lies in another region) painted in `colour`, optionally with the
 * regions outside `highlight` darkened. Used to show divisions and selected subsets in notebooks.
 */
export function outlineRegions(image: RgbImage, division: Division, options: OutlineOptions = {}): RgbImage {
  const { width, height, labels } = division;
  if (image.width !== width || image.height !== height) {
    throw new RangeError(`division is ${width}×${height} but the image is ${image.width}×${image.height}`);
  }
  const colour = options.colour ?? [255, 255, 0];
  if (colour.length !== 3 || colour.some((v) => !(Number.isFinite(v) && v >= 0 && v <= 255))) {
    throw new RangeError(`outline colour ${JSON.stringify(colour)} is not allowed: use three values 0..255`);
  }
  const dim = options.dim ?? 0.6;
  if (!(Number.isFinite(dim) && dim >= 0 && dim <= 1)) throw new RangeError(`dim ${dim} is not allowed: use a number in 0..1`);
  let keep: Uint8Array | undefined;
  if (options.highlight) {
    keep = new Uint8Array(division.count);
    for (const r of options.highlight) {
      if (!(Number.isInteger(r) && r >= 0 && r < division.count)) throw new RangeError(`highlight region ${r} is not allowed: use 0..${division.count - 1}`);
      keep[r] = 1;
    }
  }
  const data = image.data.slice();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const l = labels[p];
      const border = (x + 1 < width && labels[p + 1] !== l) || (y + 1 < height && labels[p + width] !== l);
      if (border) data.set(colour, p * 3);
      else if (keep && !keep[l]) for (let k = 0; k < 3; k++) data[p * 3 + k] *= 1 - dim;
    }
  }
  return { width, height, data };
}
