/**
 * The heat maps SEA-NN ensembles. The paper ensembles gradient methods; this library is black-box,
 * so the sources are its own methods. Until the method registry (src/methods/registry.ts) is on
 * main, this adapter calls the baselines and LIMA's explainer directly.
 */
import { hsicAttribution, kernelShap, lime, occlusion, rise } from "../../baselines";
import type { BaselineControl } from "../../baselines/common";
import { regionPixels } from "../../division";
import { Explainer } from "../../explain/explainer";
import type { BlackBoxModel } from "../../model/types";
import type { Division, RgbImage, SaliencyMap } from "../../types";

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
export interface SourceContext extends BaselineControl {
  readonly target: number;
  /** Regions for the region methods (LIMA, Kernel SHAP, LIME); their own default (SLICO 49) when absent. */
  readonly division?: Division;
  /** RISE masks inside SEA-NN (default 1000, a quarter of RISE's own default, for cost). */
  readonly riseMasks?: number;
  readonly seed?: number;
}

/** One source's heat map at model resolution. */
export async function sourceMap(source: SeannSource, model: BlackBoxModel, image: RgbImage, ctx: SourceContext): Promise<SaliencyMap> {
  const control: BaselineControl = { target: ctx.target, signal: ctx.signal, onProgress: ctx.onProgress };
  switch (source) {
    case "lima": {
      const division = ctx.division ? { method: "masks" as const, masks: regionPixels(ctx.division).map((px) => maskOf(px, ctx.division as Division)), delta: 0 } : undefined;
      const r = await new Explainer(model, division ? { division } : {}).explain(image, { target: ctx.target, signal: ctx.signal });
      return r.importanceMap;
    }
    case "rise":
      return rise(model, image, { ...control, masks: ctx.riseMasks ?? 1000, seed: ctx.seed ?? 0 });
    case "occlusion":
      return occlusion(model, image, control);
    case "kernelshap":
      return kernelShap(model, image, { ...control, division: ctx.division, seed: ctx.seed ?? 0 });
    case "lime":
      return lime(model, image, { ...control, division: ctx.division, seed: ctx.seed ?? 0 });
    case "hsic":
      return hsicAttribution(model, image, { ...control, seed: ctx.seed ?? 0 });
  }
}

function maskOf(pixels: Int32Array, division: Division): Uint8Array {
  const m = new Uint8Array(division.width * division.height);
  for (const p of pixels) m[p] = 1;
  return m;
}
