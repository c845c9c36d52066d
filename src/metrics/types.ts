/**
 * Metrics as objects bound to a benchmark (Xplique's style, issue 10): a metric holds the model,
 * the image, the target and its own settings, and evaluates any attribution result. Eval iterates
 * the metric registry (src/metrics/registry.ts); adding a metric is one file plus one line there.
 */
import type { AttributionResult } from "../methods/types";
import type { BlackBoxModel } from "../model/types";
import type { ParamSpec } from "../params/types";
import type { Division, RgbImage, RunControl } from "../types";

/** The benchmark a metric is bound to. */
export interface MetricBenchmark extends RunControl {
  readonly model: BlackBoxModel;
  readonly image: RgbImage;
  readonly target: number;
  /** The shared division of the evaluation (for region-level metrics such as MIF/LIF, MDRS). */
  readonly division: Division;
  /** Value of removed pixels, 0..255 (default 0). */
  readonly baseline?: number;
  /** Seed for metrics that sample (default 0). */
  readonly seed?: number;
  /**
   * Annotation mask of the object (0/1 per pixel at model resolution), when the user gave one
   * (RMA/RRA); metrics that need it return no values without it.
   */
  readonly annotation?: Uint8Array;
}

/** A registered metric family: one evaluation may yield several named numbers (e.g. MIF, LIF, SRG). */
export interface MetricSpec {
  /** Registry key, e.g. "pixel", "mufidelity", "mdrs", "srg", "grouped". */
  readonly name: string;
  /** The columns it produces, each with its direction, e.g. [{ key: "mdrs", better: "lower" }]. */
  readonly columns: readonly { readonly key: string; readonly label: string; readonly better: "higher" | "lower" }[];
  readonly params: readonly ParamSpec[];
  /** Evaluates one result on the bound benchmark; returns one number per column it could compute. */
  evaluate(bench: MetricBenchmark, result: AttributionResult, options?: Readonly<Record<string, unknown>>): Promise<Record<string, number>>;
}
