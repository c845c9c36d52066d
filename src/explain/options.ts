import type { BaselineOption } from "../image/baseline";
import type { ConfidenceKind, Lambdas } from "../score/options";
import type { DivisionOptions } from "../division";
import type { FastSearchOptions } from "../search/fast";

/** Search strategies (METHOD.md §4). */
export const SEARCHES = ["bidirectional", "greedy", "fast"] as const;
export type SearchKind = (typeof SEARCHES)[number];

/** Options of an {@link Explainer}; every field has a documented default. */
export interface ExplainerOptions {
  /** Search strategy (default "bidirectional", LIMA Algorithm 1; "greedy", SMDL Algorithm 1;
   * "fast", lazy greedy with stale bounds, src/search/fast.ts). */
  readonly search?: SearchKind;
  /** n_p, pending negatives of the bidirectional search (default 8). */
  readonly np?: number;
  /** Tuning of the "fast" search (defaults: FAST_DEFAULTS in src/search/fast.ts). */
  readonly fast?: FastSearchOptions;
  /** Score weights (default LIMA: cons 20, colla 5, conf 0.05, eff 0.01). */
  readonly lambdas?: Partial<Lambdas>;
  /** Confidence term (default "entropy"; "edl" is SMDL's evidential score). */
  readonly confidence?: ConfidenceKind;
  /** How the image is divided (default SLICO with 49 regions). */
  readonly division?: DivisionOptions;
  /** Pixel value of removed regions (default 0, black). */
  readonly baseline?: BaselineOption;
  /** Memory bound of the model-output cache in bytes (default 256 MiB). */
  readonly cacheBytes?: number;
}

/** The options as resolved, with all defaults filled. */
export interface ResolvedOptions {
  readonly search: SearchKind;
  readonly np: number;
  readonly fast?: FastSearchOptions;
  readonly lambdas: Lambdas;
  readonly confidence: ConfidenceKind;
  readonly division: DivisionOptions;
  readonly baseline: BaselineOption;
}

export const DEFAULT_DIVISION: DivisionOptions = { method: "slico", regions: 49 };
