import { HSIC_DEFAULTS, hsicAttribution, type HsicOptions, kernelShap, type KernelShapOptions, lime, LIME_DEFAULTS, type LimeOptions, occlusion, OCCLUSION_DEFAULTS, type OcclusionOptions, rise, RISE_DEFAULTS, type RiseOptions } from "../baselines";
import type { BaselineControl } from "../baselines/common";
import type { DivisionOptions } from "../division";
import { Explainer } from "../explain/explainer";
import type { ExplainerOptions } from "../explain/options";
import type { BlackBoxModel } from "../model/types";
import type { Division, RgbImage, SaliencyMap } from "../types";

/** Methods an evaluation can compare: LIMA and the black-box baselines of METHOD.md §8. */
export const EVAL_METHODS = ["lima", "rise", "occlusion", "kernelshap", "lime", "hsic"] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];

type Own<T> = Omit<T, keyof BaselineControl | "division">;

/**
 * Options of every method, each under its own name; a missing field takes the method's own
 * documented default. `division` is LIMA's division and also the regions of Kernel SHAP and LIME
 * (default SLICO with 49 regions), so the three region methods share the same regions.
 */
export interface MethodOptions {
  readonly division?: DivisionOptions;
  readonly lima?: Omit<ExplainerOptions, "division" | "cacheBytes">;
  readonly rise?: Own<RiseOptions>;
  readonly occlusion?: Own<OcclusionOptions>;
  readonly kernelshap?: Own<KernelShapOptions>;
  readonly lime?: Own<LimeOptions>;
  readonly hsic?: Own<HsicOptions>;
}

/**
 * The options that shape one method's map, defaults filled (so a flag left out and a flag set to
 * its default record the same), for the record and for checking a resumed run. LIMA's come from
 * the explainer that runs it.
 */
export function methodSettings(method: EvalMethod, options: MethodOptions, explainer: Explainer): Record<string, unknown> {
  const division = options.division ?? DEFAULT_EVAL_DIVISION;
  switch (method) {
    case "lima": {
      const o = explainer.options;
      return { division, search: o.search, np: o.np, lambdas: o.lambdas, confidence: o.confidence, baseline: o.baseline };
    }
    case "rise":
      return { ...RISE_DEFAULTS, ...options.rise };
    case "occlusion":
      return { ...OCCLUSION_DEFAULTS, ...options.occlusion };
    case "kernelshap":
      return { division, samples: "2·|V|+2048", baseline: 0, seed: 0, ...options.kernelshap };
    case "lime":
      return { division, ...LIME_DEFAULTS, baseline: 0, ...options.lime };
    case "hsic":
      return { ...HSIC_DEFAULTS, ...options.hsic };
    default:
      throw new RangeError(`method ${JSON.stringify(method)} is not allowed: use ${EVAL_METHODS.join(", ")}`);
  }
}

/** The state a method run needs besides the image: LIMA's explainer and the shared division. */
export interface MethodContext {
  readonly model: BlackBoxModel;
  readonly explainer: Explainer;
  readonly division: Division;
  readonly target: number;
  readonly options: MethodOptions;
  readonly signal?: AbortSignal;
  /** Fraction of the method done, 0..1. */
  readonly onProgress?: (fraction: number) => void;
}

/** What one method produced: its map and its cost. */
export interface MethodRun {
  readonly map: SaliencyMap;
  /** Images the model ran for this method. */
  readonly forwardPasses: number;
  readonly ms: number;
}

function control(ctx: MethodContext): BaselineControl {
  return { target: ctx.target, signal: ctx.signal, onProgress: (p) => ctx.onProgress?.(p.total > 0 ? p.done / p.total : 1) };
}

async function saliency(method: EvalMethod, image: RgbImage, ctx: MethodContext): Promise<SaliencyMap> {
  const o = ctx.options;
  switch (method) {
    case "lima": {
      const r = await ctx.explainer.explain(image, { target: ctx.target, signal: ctx.signal, onProgress: (p) => ctx.onProgress?.(p.totalSteps > 0 ? p.step / p.totalSteps : 0) });
      return r.importanceMap;
    }
    case "rise":
      return rise(ctx.model, image, { ...o.rise, ...control(ctx) });
    case "occlusion":
      return occlusion(ctx.model, image, { ...o.occlusion, ...control(ctx) });
    case "kernelshap":
      return kernelShap(ctx.model, image, { ...o.kernelshap, division: ctx.division, ...control(ctx) });
    case "lime":
      return lime(ctx.model, image, { ...o.lime, division: ctx.division, ...control(ctx) });
    case "hsic":
      return hsicAttribution(ctx.model, image, { ...o.hsic, ...control(ctx) });
    default:
      throw new RangeError(`method ${JSON.stringify(method)} is not allowed: use ${EVAL_METHODS.join(", ")}`);
  }
}

/** Runs one method on one image for one class, timing it and counting its forward passes. */
export async function runMethod(method: EvalMethod, image: RgbImage, ctx: MethodContext): Promise<MethodRun> {
  const passes0 = ctx.model.forwardPasses;
  const t0 = performance.now();
  const map = await saliency(method, image, ctx);
  return { map, forwardPasses: ctx.model.forwardPasses - passes0, ms: performance.now() - t0 };
}

/** LIMA's division (also the regions of Kernel SHAP and LIME) when none is given: SLICO, 49 regions. */
export const DEFAULT_EVAL_DIVISION: DivisionOptions = Object.freeze({ method: "slico", regions: 49 });

/** An explainer for LIMA under the evaluation's options. */
export function limaExplainer(model: BlackBoxModel, options: MethodOptions): Explainer {
  return new Explainer(model, { ...options.lima, division: options.division ?? DEFAULT_EVAL_DIVISION });
}
