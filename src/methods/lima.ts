import { Explainer } from "../explain/explainer";
import type { SearchKind } from "../explain/options";
import type { BlackBoxModel } from "../model/types";
import { type ConfidenceKind, LIMA_PARAMS, type LambdaValues, presetLambdas } from "../params/lima";
import type { ParamSpec } from "../params/types";
import type { RgbImage } from "../types";
import { resolveMethodOptions } from "./common";
import { prefixGroups } from "./sop/groups";
import type { AttributionMethod, AttributionRequest, AttributionResult, Attributor } from "./types";

/** A LIMA/SMDL attributor; `explainer` is there for callers that want LIMA's own outputs. */
export interface SubmodularAttributor extends Attributor {
  readonly explainer: Explainer;
}

/**
 * The submodular methods, LIMA and SMDL, over one {@link Explainer}: the map is LIMA eq. 11's
 * importance map, the order the search's, and `details.explanation` the full
 * {@link Explanation} (region curves, steps, highest confidence; JSON through its toJSON).
 * λ: the preset's weights with any weight named in `lambdas` on top.
 */
export function submodularMethod(describe: Omit<AttributionMethod, "create" | "usesDivision">, search: SearchKind | undefined): AttributionMethod {
  return {
    ...describe,
    usesDivision: true,
    create(model: BlackBoxModel, options: Readonly<Record<string, unknown>> = {}): SubmodularAttributor {
      const explainerOptions = (given: Readonly<Record<string, unknown>>) => {
        const o = resolveMethodOptions(describe.params, given);
        return {
          search: search ?? (o.search as SearchKind),
          ...(o.np !== undefined ? { np: o.np as number } : {}),
          lambdas: presetLambdas(o.preset as string, given.lambdas as Partial<LambdaValues> | undefined),
          confidence: o.confidence as ConfidenceKind,
          baseline: o.baseline as number,
        };
      };
      const explainer = new Explainer(model, explainerOptions(options));
      return {
        explainer,
        // Other λ, n_p, search…: the same explainer, so its memoised model outputs serve the re-run.
        setOptions: (given) => explainer.setOptions(explainerOptions(given)),
        async attribute(image: RgbImage, request: AttributionRequest): Promise<AttributionResult> {
          const e = await explainer.explain(image, {
            target: request.target,
            division: request.division,
            signal: request.signal,
            onProgress: (p) => request.onProgress?.(p.totalSteps > 0 ? p.step / p.totalSteps : 0),
          });
          // Its ordered prefixes are nested groups scored by their marginal gain (Sum-of-Parts Definition 2).
          const groups = prefixGroups(e.order, e.division, e.insertion.y);
          return { method: describe.name, map: e.importanceMap, order: e.order, division: e.division, groups, forwardPasses: e.forwardPasses, cacheHits: e.cacheHits, ms: e.ms, details: { explanation: e } };
        },
      };
    },
  };
}

const params: readonly ParamSpec[] = LIMA_PARAMS;

/** LIMA (Chen et al. 2025): bidirectional submodular search (Algorithm 1) over the regions. */
export const LIMA = submodularMethod({ name: "lima", title: "LIMA (bidirectional submodular search)", paper: "Chen et al. 2025, LIMA, Algorithm 1", params }, undefined);
