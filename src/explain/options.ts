import type { BaselineOption } from "../image/baseline";
import type { Lambdas } from "../score/options";
import { DEFAULT_DIVISION, type DivisionOptions } from "../division";
import { type ConfidenceKind, SEARCH, type PresetName, type SearchKind } from "../params/lima";
import type { FastSearchOptions } from "../search/fast";

export type { SearchKind };
/** Search strategies (METHOD.md §4): the choices of SEARCH in src/params/lima.ts. */
export const SEARCHES: readonly SearchKind[] = SEARCH.choices;

/** Options of an {@link Explainer}; every field has a documented default. */
export interface ExplainerOptions {
  /** Search strategy (default "bidirectional", LIMA Algorithm 1; "greedy", SMDL Algorithm 1;
   * "fast", a budgeted lazily screened reverse greedy, src/search/fast.ts). */
  readonly search?: SearchKind;
  /** n_p, pending negatives of the bidirectional search (default and range: NP in src/params/lima.ts). */
  readonly np?: number;
  /** Tuning of the "fast" search (defaults: FAST_DEFAULTS in src/search/fast.ts). */
  readonly fast?: FastSearchOptions;
  /** λ preset the weights start from (default DEFAULT_PRESET in src/params/lima.ts); `lambdas` override it. */
  readonly preset?: PresetName;
  /** Score weights (default: the default preset's). */
  readonly lambdas?: Partial<Lambdas>;
  /** Confidence term (default "entropy"; "edl" is SMDL's evidential score). */
  readonly confidence?: ConfidenceKind;
  /** How the image is divided (default {@link DEFAULT_DIVISION}). */
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

export { DEFAULT_DIVISION };
