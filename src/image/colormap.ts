import type { RgbImage, SaliencyMap } from "../types";

/** Stops of a perceptual "inferno"-like map, sampled at 0, 0.25, 0.5, 0.75, 1. */
const STOPS: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];

/** Colour of a value in [0, 1] (clamped) by linear interpolation between the stops. */
export function colourOf(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(t));
  const f = t - i;
  const a = STOPS[i], b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Min-max normalises a map's values to [0, 1] (a constant map becomes all zeros). */
export function normalise(map: SaliencyMap): Float32Array {
  let min = Infinity, max = -Infinity;
  for (const v of map.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return map.data.map((v) => (span > 0 ? (v - min) / span : 0));
}

/** The image with the map blended over it: (1 − opacity)·image + opacity·colour(map). 8-bit RGB out. */
export function overlay(image: RgbImage, map: SaliencyMap, opacity = 0.5): Uint8ClampedArray {
  if (map.width !== image.width || map.height !== image.height) {
    throw new RangeError(`map is ${map.width}×${map.height} but the image is ${image.width}×${image.height}`);
  }
  const values = normalise(map);
  const out = new Uint8ClampedArray(image.data.length);
  for (let p = 0; p < values.length; p++) {
    const c = colourOf(values[p]);
    for (let k = 0; k < 3; k++) out[p * 3 + k] = (1 - opacity) * image.data[p * 3 + k] + opacity * c[k];
  }
  return out;
}
