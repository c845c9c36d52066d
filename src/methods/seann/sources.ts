/**
 * The heat maps SEA-NN ensembles. The paper ensembles gradient methods; this library is black-box,
 * so the sources are other registered methods (imported one by one rather than through
 * src/methods/registry.ts, which lists SEA-NN itself).
 */
import type { BlackBoxModel } from "../../model/types";
import type { Division, RgbImage, SaliencyMap } from "../../types";
import { HSIC } from "../hsic";
import { KERNELSHAP } from "../kernelshap";
import { LIMA } from "../lima";
import { LIME } from "../lime";
import { OCCLUSION } from "../occlusion";
import { RISE } from "../rise";
import type { AttributionMethod } from "../types";
/** Methods SEA-NN can ensemble. */
export const SEANN_SOURCES = ["lima", "rise", "occlusion", "kernelshap", "lime", "hsic"] as const;
export type SeannSource = (typeof SEANN_SOURCES)[number];

/** Default sources, chosen for cost: RISE (1000 masks here), occlusion (225 passes), LIME (1001 passes). */
export const DEFAULT_SOURCES: readonly SeannSource[] = ["rise", "occlusion", "lime"];

/** Parses a list of source names ("rise,occlusion,lime" or an array); throws a RangeError naming unknown ones. */
export function parseSources(value: unknown): SeannSource[] {
  const list = typeof value === "string" ? value.split(",").map((s) => s.trim()).filter((s) => s.length > 0) : Array.isArray(value) ? value : undefined;
  if (!list || list.length === 0) throw new RangeError(`sources ${JSON.stringify(value)} is not allowed: use a non-empty list of ${SEANN_SOURCES.join(", ")}`);
  const bad = list.filter((s) => !(SEANN_SOURCES as readonly unknown[]).includes(s));
  if (bad.length) throw new RangeError(`sources ${bad.map((b) => JSON.stringify(b)).join(", ")} not allowed: use ${SEANN_SOURCES.join(", ")}`);
  const unique = [...new Set(list as SeannSource[])];
  if (unique.length < list.length) throw new RangeError(`sources ${JSON.stringify(list)} repeat a method; name each once`);
  return unique;
}

/** What a source run needs. */
export interface SourceContext {
  readonly target: number;
  /** Regions for the region methods (LIMA, Kernel SHAP, LIME); their own default (SLICO) when absent. */
  readonly division?: Division;
  /** RISE masks inside SEA-NN (default 1000, a quarter of RISE's own default, for cost). */
  readonly riseMasks?: number;
  /** Seed of the sampling sources (RISE, LIME, Kernel SHAP, HSIC). */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

/**
 * The options SEA-NN gives each source: the source's own defaults, except RISE's mask count
 * (`riseMasks`), the seed, and occlusion's patch, which scales with the image (side/8, stride
 * half of it: 28 and 14 on 224×224, its defaults).
 */
export function sourceOptions(source: SeannSource, image: RgbImage, ctx: SourceContext): Record<string, unknown> {
  const seed = ctx.seed ?? 0;
  switch (source) {
    case "rise":
      return { masks: ctx.riseMasks ?? 1000, seed };
    case "occlusion": {
      const patch = Math.max(1, Math.round(Math.min(image.width, image.height) / 8));
      return { patch, stride: Math.max(1, Math.round(patch / 2)) };
    }
    case "lime":
    case "kernelshap":
    case "hsic":
      return { seed };
    case "lima":
      return {};
  }
}

const SOURCE_METHODS: Readonly<Record<SeannSource, AttributionMethod>> = { lima: LIMA, rise: RISE, occlusion: OCCLUSION, kernelshap: KERNELSHAP, lime: LIME, hsic: HSIC };

/** One source's heat map at model resolution, from the registered method of that name. */
export async function sourceMap(source: SeannSource, model: BlackBoxModel, image: RgbImage, ctx: SourceContext): Promise<SaliencyMap> {
  const attributor = SOURCE_METHODS[source].create(model, sourceOptions(source, image, ctx));
  try {
    const r = await attributor.attribute(image, { target: ctx.target, division: ctx.division, signal: ctx.signal, onProgress: ctx.onProgress });
    return r.map;
  } finally {
    await attributor.dispose?.();
  }
}
