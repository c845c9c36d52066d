import type { ScoreTerms } from "../score/submodular";
import type { Subset } from "./subset";

/** One placed region: where it went and the score that placed it. */
export interface SearchStep {
  readonly region: number;
  /** "forward": argmax of F(S_fwd ∪ {α}); "reverse": argmin of F(S_rev ∪ {α}) (LIMA Algorithm 1). */
  readonly direction: "forward" | "reverse";
  /** The terms of the subset that placed it (S_fwd ∪ {α} or S_rev ∪ {α}). */
  readonly terms: ScoreTerms;
}

/** What a search reports after each iteration. */
export interface SearchProgress {
  readonly iteration: number;
  /** Regions placed so far. */
  readonly placed: number;
  readonly total: number;
  /** S_fwd so far (most important first). */
  readonly forward: readonly number[];
  /** S_rev so far (least important first). */
  readonly reverse: readonly number[];
}

/** What a search needs: F(S ∪ {α}) for many α at once, batched by the caller. */
export interface SearchContext {
  /** |V|. */
  readonly m: number;
  /** F(base ∪ {α}) for each candidate α, in candidate order. */
  evaluate(base: Subset, candidates: readonly number[]): Promise<ScoreTerms[]>;
  /** F(base ∪ {α}) from the complement image alone, s_cons and s_conf held at F(base)'s values (one
   * image per candidate: the image of what stays when base ∪ {α} is removed), when the caller can give
   * it: the fast search's reverse screen. */
  estimateReverse?(base: Subset, candidates: readonly number[]): Promise<ScoreTerms[]>;
  readonly onProgress?: (progress: SearchProgress) => void;
  readonly signal?: AbortSignal;
}

/** A search's answer: the final order, most important region first. */
export interface SearchResult {
  readonly order: readonly number[];
  /** steps[i] placed order[i]. */
  readonly steps: readonly SearchStep[];
  /** Length of the forward part: order[0..forwardLength) is S_fwd, the rest is S_rev reversed. */
  readonly forwardLength: number;
  /** Budgeted searches: model images requested in all (the fast search's budget count). */
  readonly evaluations?: number;
}
