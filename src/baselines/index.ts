/** Black-box baselines (METHOD.md §8): each returns a saliency map of the same type as LIMA's. */
import type { BlackBoxModel } from "../model/types";
import type { RgbImage, SaliencyMap } from "../types";
import type { BaselineControl } from "./common";
import { hsicAttribution } from "./hsic";
import { kernelShap } from "./kernelshap";
import { lime } from "./lime";
import { occlusion } from "./occlusion";
import { rise } from "./rise";

export { rise, RISE_DEFAULTS, RISE_PARAMS, type RiseOptions } from "./rise";
export { occlusion, OCCLUSION_DEFAULTS, OCCLUSION_PARAMS, type OcclusionOptions } from "./occlusion";
export { kernelShap, KERNELSHAP_PARAMS, type KernelShapOptions } from "./kernelshap";
export { lime, LIME_DEFAULTS, LIME_PARAMS, type LimeOptions } from "./lime";
export { hsicAttribution, HSIC_DEFAULTS, HSIC_PARAMS, type HsicOptions } from "./hsic";
export type { BaselineControl } from "./common";
export type { RegionBaselineOptions } from "./regions";

/** A baseline by name, for the CLI and the benchmark runner. */
export type BaselineMethod = (model: BlackBoxModel, image: RgbImage, options: BaselineControl & Record<string, unknown>) => Promise<SaliencyMap>;

export const BASELINES: Readonly<Record<"rise" | "occlusion" | "kernelshap" | "lime" | "hsic", BaselineMethod>> = {
  rise,
  occlusion,
  kernelshap: kernelShap,
  lime,
  hsic: hsicAttribution,
};
