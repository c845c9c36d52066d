/**
 * TEMPORARY registry of the explorer branch (feat/explorer), only until the registry branch lands:
 * LIMA and RISE behind the AttributionMethod interface, so the explorer can be built and tested.
 * At the merge the registry branch's file replaces this one.
 */
import { rise } from "../baselines/rise";
import { Explainer } from "../explain/explainer";
import type { BlackBoxModel } from "../model/types";
import { type ParamSpec, resolveParams } from "../params/types";
import type { AttributionMethod, AttributionResult } from "./types";

/** The division every region method shares (explorer, eval). */
export const DIVISION_PARAMS: readonly ParamSpec[] = [
  { kind: "choice", name: "method", label: "division", default: "slico", choices: ["slico", "grid"], meaning: "how the image is cut into sub-regions: SLICO superpixels or a square grid" },
  { kind: "number", name: "regions", label: "|V|", default: 49, min: 2, max: 400, integer: true, unit: "regions", meaning: "requested number of sub-regions |V| (SLICO reports the count it reached; a grid needs a square)" },
];

const LIMA_PARAMS: readonly ParamSpec[] = [
  { kind: "choice", name: "search", label: "search", default: "bidirectional", choices: ["bidirectional", "greedy"], meaning: "bidirectional (LIMA Algorithm 1) or forward-only greedy (SMDL)" },
  { kind: "number", name: "np", label: "n_p", default: 8, min: 1, max: 400, integer: true, meaning: "pending negatives of the bidirectional search" },
  { kind: "number", name: "cons", label: "λ_cons", default: 20, min: 0, max: 100, step: 0.5, meaning: "weight of the consistency term: how close S's prediction is to the target" },
  { kind: "number", name: "colla", label: "λ_colla", default: 5, min: 0, max: 100, step: 0.25, meaning: "weight of the collaboration term: how much the rest of the image loses without S" },
  { kind: "number", name: "conf", label: "λ_conf", default: 0.05, min: 0, max: 10, step: 0.01, meaning: "weight of the confidence term" },
  { kind: "number", name: "eff", label: "λ_eff", default: 0.01, min: 0, max: 10, step: 0.005, meaning: "weight of the effectiveness term: diversity of the chosen regions" },
];

const RISE_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "masks", label: "masks", default: 4000, min: 1, max: 100000, integer: true, unit: "masks", meaning: "random masks N" },
  { kind: "number", name: "grid", label: "grid", default: 7, min: 2, max: 64, integer: true, meaning: "cells per side of the low-resolution masks" },
  { kind: "number", name: "seed", label: "seed", default: 0, min: 0, max: 2 ** 31 - 1, integer: true, meaning: "seed of the masks" },
];

const lima: AttributionMethod = {
  name: "lima",
  title: "LIMA (bidirectional submodular search)",
  paper: "Chen et al. 2025, LIMA, Algorithm 1",
  params: LIMA_PARAMS,
  usesDivision: true,
  create(model: BlackBoxModel, options = {}) {
    const o = resolveParams(LIMA_PARAMS, options);
    const explainer = new Explainer(model, { search: o.search as "bidirectional", np: o.np as number, lambdas: { cons: o.cons as number, colla: o.colla as number, conf: o.conf as number, eff: o.eff as number } });
    return {
      async attribute(image, request): Promise<AttributionResult> {
        const passes = model.forwardPasses;
        const t0 = performance.now();
        const given = request.division;
        // Temporary: the registry branch's LIMA takes the division properly.
        if (given) explainer.divide = () => given;
        const r = await explainer.explain(image, {
          target: request.target,
          signal: request.signal,
          onProgress: (p) => request.onProgress?.(p.totalSteps > 0 ? p.step / p.totalSteps : 0),
        });
        return { method: "lima", map: r.importanceMap, order: r.order, division: r.division, forwardPasses: model.forwardPasses - passes, ms: performance.now() - t0 };
      },
    };
  },
};

const riseMethod: AttributionMethod = {
  name: "rise",
  title: "RISE (random masks)",
  paper: "Petsiuk et al. 2018",
  params: RISE_PARAMS,
  usesDivision: false,
  create(model, options = {}) {
    const o = resolveParams(RISE_PARAMS, options);
    return {
      async attribute(image, request) {
        const passes = model.forwardPasses;
        const t0 = performance.now();
        const map = await rise(model, image, { masks: o.masks as number, grid: o.grid as number, seed: o.seed as number, target: request.target, signal: request.signal, onProgress: (p) => request.onProgress?.(p.total ? p.done / p.total : 1) });
        return { method: "rise", map, forwardPasses: model.forwardPasses - passes, ms: performance.now() - t0 };
      },
    };
  },
};

export const METHODS: readonly AttributionMethod[] = [lima, riseMethod];

export function getMethod(name: string): AttributionMethod {
  const m = METHODS.find((x) => x.name === name);
  if (!m) throw new RangeError(`method ${JSON.stringify(name)} is not allowed: use one of ${METHODS.map((x) => x.name).join(", ")}`);
  return m;
}
