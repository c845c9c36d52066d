/** Faithfulness metrics usable on any saliency map (METHOD.md §6). */
export { pixelCurve, pixelMetrics, rankPixels, strongInteractionCount, type PixelCurveOptions } from "./pixel-curves";
export { muFidelity, type MuFidelityOptions } from "./mu-fidelity";
export { mean, pearson, spearman, ranks, standardError, trapezoidAuc } from "./stats";
export { highestConfidence, CONFIDENCE_RANGES } from "../explain/curves";
