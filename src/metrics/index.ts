/** Faithfulness metrics usable on any saliency map (METHOD.md §6). */
export { pixelCurve, pixelMetrics, rankPixels, strongInteractionCount, type PixelCurveOptions } from "./pixel-curves";
export { muFidelity, type MuFidelityOptions } from "./mu-fidelity";
export { mean, pearson, spearman, ranks, standardError, trapezoidAuc } from "./stats";
export { highestConfidence, CONFIDENCE_RANGES } from "./curves";
export { InsertionDeletion, MuFidelity, type BoundMetricOptions, type InsertionDeletionScores } from "./bound";
export { METRICS, getMetric, PIXEL_CURVES, HIGHEST_CONFIDENCE, MU_FIDELITY, STEPS, MU_SAMPLES, MU_GRID } from "./registry";
export type { MetricBenchmark, MetricSpec } from "./types";
