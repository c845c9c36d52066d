/**
 * SALVAGE as a registered attribution method (`salvage`): per-image Shapley-distribution fit with
 * attribution-guided sampling, on the request's division or its own SLICO division.
 */
import { DEFAULT_DIVISION, divide } from "../../division";
import { BASELINE, SEED } from "../../params/lima";
import type { ParamSpec } from "../../params/types";
import { resolveParams } from "../../params/types";
import type { AttributionMethod, AttributionResult } from "../types";
import { SALVAGE_DEFAULTS, salvageRegions } from "./salvage";

export { salvageRegions, SALVAGE_DEFAULTS, type SalvageOptions, type SalvageFit } from "./salvage";
export { chooseBuckets, bucketProbs, type Buckets } from "./buckets";
export * from "./distribution";

/** SALVAGE's options as data (defaults from SALVAGE_DEFAULTS). */
export const SALVAGE_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "budget", label: "budget", flag: "salvage-budget", default: SALVAGE_DEFAULTS.budget, min: 3, max: 100000, integer: true, unit: "forward passes", meaning: "forward passes in all (empty and full image included)" },
  { kind: "number", name: "guidedFraction", label: "guided share", flag: "salvage-guided", default: SALVAGE_DEFAULTS.guidedFraction, min: 0, max: 1, step: 0.05, meaning: "share of draws made by attribution-guided sampling (Algorithm 3) after the Shapley-kernel draws" },
  { kind: "number", name: "rounds", label: "guided rounds", flag: "salvage-rounds", default: SALVAGE_DEFAULTS.rounds, min: 1, max: 100, integer: true, meaning: "guided sampling rounds; φ is re-fitted before each" },
  { kind: "number", name: "topk", label: "top-k buckets", flag: "salvage-topk", default: SALVAGE_DEFAULTS.topk, min: 1, max: 1000, integer: true, unit: "classes", meaning: "classes with their own φ± (top-k of the image, target included); the rest pooled as 'other'" },
  { kind: "number", name: "epochs", label: "epochs", flag: "salvage-epochs", default: SALVAGE_DEFAULTS.epochs, min: 1, max: 10000, integer: true, meaning: "Adam epochs over all samples after each sampling round" },
  { kind: "number", name: "learningRate", label: "learning rate", flag: "salvage-lr", default: SALVAGE_DEFAULTS.learningRate, min: 0.0001, max: 1, meaning: "Adam step size" },
  BASELINE,
  SEED,
];

export const salvageMethod: AttributionMethod = {
  name: "salvage",
  title: "SALVAGE (Shapley distributions, attribution-guided sampling)",
  paper: "SALVAGE (seed 003), eqs. 3–5, §4.2 and Algorithm 3",
  params: SALVAGE_PARAMS,
  usesDivision: true,
  create(model, options = {}) {
    const p = resolveParams(SALVAGE_PARAMS, options) as Record<string, number>;
    return {
      async attribute(image, request): Promise<AttributionResult> {
        const t0 = performance.now();
        const division = request.division ?? divide(image, DEFAULT_DIVISION);
        const fit = await salvageRegions(model, image, division, request.target, { ...p, signal: request.signal, onProgress: request.onProgress });
        const order = Array.from(fit.phi.keys()).sort((a, b) => fit.phi[b] - fit.phi[a] || a - b);
        return {
          method: "salvage",
          map: { width: division.width, height: division.height, data: Float32Array.from(division.labels, (l) => fit.phi[l]) },
          order,
          division,
          forwardPasses: fit.forwardPasses,
          ms: performance.now() - t0,
          details: {
            phi: Array.from(fit.phi),
            phiPlus: Array.from(fit.phiPlus),
            phiMinus: Array.from(fit.phiMinus),
            buckets: fit.buckets.classes,
            otherBucket: fit.buckets.other,
            loss: fit.loss,
            kernelDraws: fit.kernelDraws,
            guidedDraws: fit.guidedDraws,
            highShareKernel: fit.highShareKernel,
            highShareGuided: fit.highShareGuided,
          },
        };
      },
    };
  },
};
export { exposeFeatureOutput, regionEvidence, trainAmortised, untrainedAmortised, AmortisedSalvage, AMORTISED_DEFAULTS, type AmortisedOptions, type RegionEvidence } from "./amortised";
