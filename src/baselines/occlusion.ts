import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import { BASELINE } from "../params/lima";
import type { ParamSpec } from "../params/types";
import { type BaselineControl, defaultsOf, positiveInteger, scoreGenerated } from "./common";

/** Options of {@link occlusion}. */
export interface OcclusionOptions extends BaselineControl {
  /** Side of the square patch in pixels (default 28, an eighth of a 224 input). */
  readonly patch?: number;
  /** Step between patches (default 14). */
  readonly stride?: number;
  /** Value of occluded pixels, 0..255 (default 0). */
  readonly baseline?: number;
}

/** Occlusion's parameters; defaults for a 224-pixel input: a 28-pixel patch (an eighth of the side), half-overlapping. */
export const OCCLUSION_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "patch", label: "patch", flag: "occlusion-patch", default: 28, min: 1, max: 1024, integer: true, unit: "pixels", meaning: "side of the square occluding patch" },
  { kind: "number", name: "stride", label: "stride", flag: "occlusion-stride", default: 14, min: 1, max: 1024, integer: true, unit: "pixels", meaning: "step between patches" },
  BASELINE,
];

/** Occlusion's defaults, from {@link OCCLUSION_PARAMS}. */
export const OCCLUSION_DEFAULTS = defaultsOf<{ patch: number; stride: number; baseline: number }>(OCCLUSION_PARAMS);

/** Patch origins along one side: every `stride`, with the last patch flush with the edge. */
function origins(size: number, patch: number, stride: number): number[] {
  const out: number[] = [];
  for (let o = 0; o + patch < size; o += stride) out.push(o);
  out.push(Math.max(0, size - patch));
  return [...new Set(out)];
}

/**
 * Occlusion (Zeiler & Fergus 2014): slide a baseline-coloured patch over the image; each pixel's
 * saliency is the mean drop of the target score over the patches that cover it.
 */
export async function occlusion(model: BlackBoxModel, image: RgbImage, options: OcclusionOptions): Promise<SaliencyMap> {
  const { width, height } = image;
  const patch = positiveInteger("patch", options.patch ?? OCCLUSION_DEFAULTS.patch);
  const stride = positiveInteger("stride", options.stride ?? OCCLUSION_DEFAULTS.stride);
  if (patch > Math.min(width, height)) throw new RangeError(`patch ${patch} is not allowed: use 1..${Math.min(width, height)}`);
  const baseline = options.baseline ?? OCCLUSION_DEFAULTS.baseline;
  const positions = origins(height, patch, stride).flatMap((y) => origins(width, patch, stride).map((x) => [x, y] as const));
  let full = 0;
  await scoreGenerated(model, 1, () => image, (_, s) => (full = s), { ...options, onProgress: undefined });
  const drop = new Float64Array(width * height);
  const count = new Float64Array(width * height);
  await scoreGenerated(
    model,
    positions.length,
    (i) => {
      const [x0, y0] = positions[i];
      const data = image.data.slice();
      for (let y = y0; y < y0 + patch; y++) data.fill(baseline, 3 * (y * width + x0), 3 * (y * width + x0 + patch));
      return { width, height, data };
    },
    (i, score) => {
      const [x0, y0] = positions[i];
      for (let y = y0; y < y0 + patch; y++) {
        for (let x = x0; x < x0 + patch; x++) {
          drop[y * width + x] += full - score;
          count[y * width + x]++;
        }
      }
    },
    options,
  );
  return { width, height, data: Float32Array.from(drop, (d, q) => (count[q] ? d / count[q] : 0)) };
}
