/**
 * SALVAGE as a registered attribution method (`salvage`): per-image Shapley-distribution fit with
 * attribution-guided sampling, on the request's division or its own SLICO division.
 */
import { divide } from "../../division";
import type { ParamSpec } from "../../params/types";
import { resolveParams } from "../../params/types";
import type { AttributionMethod, AttributionResult } from "../types";
import { SALVAGE_DEFAULTS, salvageRegions } from "./salvage";

export { salvageRegions, SALVAGE_DEFAULTS, type SalvageOptions, type SalvageFit } from "./salvage";
export { chooseBuckets, bucketProbs, type Buckets } from "./buckets";
export * from "./distribution";

/** SALVAGE's options as data (defaults from SALVAGE_DEFAULTS). */
export const SALVAGE_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "budget", label: "budget", default: SALVAGE_DEFAULTS.budget, min: 3, max: 100000, integer: true, unit: "forward passes", meaning: "Forward passes in all (empty and full image included)" },
  { kind: "number", name: "guidedFraction", label: "guided share", default: SALVAGE_DEFAULTS.guidedFraction, min: 0, max: 1, step: 0.05, meaning: "Share of draws made by attribution-guided sampling (Algorithm 3) after the Shapley-kernel draws" },
  { kind: "number", name: "rounds", label: "guided rounds", default: SALVAGE_DEFAULTS.rounds, min: 1, max: 100, integer: true, meaning: "Guided sampling rounds; φ is re-fitted before each" },
  { kind: "number", name: "topk", label: "top-k buckets", default: SALVAGE_DEFAULTS.topk, min: 1, max: 1000, integer: true, unit: "classes", meaning: "Classes with their own φ± (top-k of the image, target included); the rest pooled as 'other'" },
  { kind: "number", name: "epochs", label: "epochs", default: SALVAGE_DEFAULTS.epochs, min: 1, max: 10000, integer: true, meaning: "Adam epochs over all samples after each sampling round" },
  { kind: "number", name: "learningRate", label: "learning rate", default: SALVAGE_DEFAULTS.learningRate, min: 0.0001, max: 1, meaning: "Adam step size" },
  { kind: "number", name: "baseline", label: "baseline", default: SALVAGE_DEFAULTS.baseline, min: 0, max: 255, meaning: "Value of removed regions (0..255)" },
  { kind: "number", name: "regions", label: "|V|", default: 49, min: 2, max: 400, integer: true, unit: "regions", meaning: "SLICO regions when the request brings no division" },
  { kind: "number", name: "seed", label: "seed", default: SALVAGE_DEFAULTS.seed, min: 0, max: 2 ** 31 - 1, integer: true, meaning: "Seed of the samplers and of Adam's minibatch order" },
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
        const division = request.division ?? divide(image, { method: "slico", regions: p.regions });
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
