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
  /** Regions adjacent to each region (sharing a pixel edge), when the caller knows the division. */
  readonly adjacency?: readonly (readonly number[])[];
  /** F(T) for whole subsets T, when the caller can give it (the fast search's leave-one-out scores F(V∖{α})). */
  evaluateSets?(subsets: readonly Subset[]): Promise<ScoreTerms[]>;
  /** F(∅), when the caller can give it (the lazy search measures gains from it; absent: 0). */
  evaluateEmpty?(): Promise<ScoreTerms>;
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
  /** Lazy searches: stale gains re-measured, and how many of them had grown (a submodular F never grows one). */
  readonly staleBounds?: { readonly refreshed: number; readonly exceeded: number };
  /** Budgeted searches: subset evaluations F(S ∪ {α}) requested in all. */
  readonly evaluations?: number;
}
