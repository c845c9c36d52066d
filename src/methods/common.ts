/** Shared pieces of the registered methods: option resolution, timing, the baselines' control. */
import type { BaselineControl } from "../baselines/common";
import { DEFAULT_DIVISION, divide } from "../division";
import type { BlackBoxModel } from "../model/types";
import { type ParamSpec, resolveParamTree, type ResolvedParams } from "../params/types";
import type { Division, RgbImage, SaliencyMap } from "../types";
import type { AttributionMethod, AttributionRequest, AttributionResult, Attributor } from "./types";

/** The request's control in the baselines' shape (progress as a fraction). */
export function baselineControl(request: AttributionRequest): BaselineControl {
  return { target: request.target, signal: request.signal, onProgress: (p) => request.onProgress?.(p.total > 0 ? p.done / p.total : 1) };
}

/** The request's division, or the default one (SLICO at the schema's |V|) for a method that needs regions. */
export function requestDivision(image: RgbImage, request: AttributionRequest): Division {
  return request.division ?? divide(image, DEFAULT_DIVISION);
}

/**
 * A method whose work is one function call returning a map (the black-box baselines): options are
 * resolved against `params` once, at create(); forward passes and wall time are measured around
 * the call.
 */
export function mapMethod(
  describe: Omit<AttributionMethod, "create">,
  run: (model: BlackBoxModel, image: RgbImage, options: ResolvedParams, request: AttributionRequest) => Promise<{ map: SaliencyMap; division?: Division }>,
): AttributionMethod {
  return {
    ...describe,
    create(model: BlackBoxModel, options: Readonly<Record<string, unknown>> = {}): Attributor {
      const resolved = resolveParamTree(describe.params, options);
      return {
        async attribute(image: RgbImage, request: AttributionRequest): Promise<AttributionResult> {
          const passes0 = model.forwardPasses;
          const t0 = performance.now();
          const { map, division } = await run(model, image, resolved, request);
          return { method: describe.name, map, ...(division ? { division } : {}), forwardPasses: model.forwardPasses - passes0, ms: performance.now() - t0 };
        },
      };
    },
  };
}

/** Resolves `options` against a method's schema (defaults filled; a RangeError naming every bad value). */
export function resolveMethodOptions(params: readonly ParamSpec[], options: Readonly<Record<string, unknown>> = {}): ResolvedParams {
  return resolveParamTree(params, options);
}
