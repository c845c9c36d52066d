import type { ModelOutput } from "../model/types";
import type { ConfidenceKind, Lambdas } from "./options";
import { edlConfidence, effectiveness, entropyConfidence, type ScoreTarget, targetScore } from "./terms";

/** The four terms of F(S) and their weighted sum (METHOD.md §3, LIMA eq. 8; SMDL eq. 9). */
export interface ScoreTerms {
  readonly cons: number;
  readonly colla: number;
  readonly conf: number;
  readonly eff: number;
  /** F(S) = λ1·cons + λ2·colla + λ3·conf + λ4·eff. */
  readonly F: number;
}

/** Everything F(S) needs besides the two model outputs. */
export interface SubmodularScore {
  readonly target: ScoreTarget;
  readonly lambdas: Lambdas;
  readonly confidence: ConfidenceKind;
  /** m×m angular distances between region features (for s_eff). */
  readonly distances: Float64Array;
  /** |V|. */
  readonly m: number;
}

/**
 * F(S) from the outputs of the S-image and the complement image (METHOD.md §3):
 * s_cons = p(S-image)[c], s_colla = 1 − p(complement)[c], s_conf from the S-image,
 * s_eff from the region feature distances. A score that is not finite (weights so large that the
 * sum overflows, or a NaN term) is a RangeError naming the weights: a search cannot order by it.
 */
export function scoreSubset(
  score: SubmodularScore,
  subset: readonly number[],
  subsetOutput: ModelOutput,
  complementOutput: ModelOutput,
): ScoreTerms {
  const cons = targetScore(subsetOutput, score.target);
  const colla = 1 - targetScore(complementOutput, score.target);
  const conf = score.confidence === "edl" ? edlConfidence(subsetOutput) : entropyConfidence(subsetOutput, score.target);
  const eff = effectiveness(subset, score.distances, score.m);
  const l = score.lambdas;
  const F = l.cons * cons + l.colla * colla + l.conf * conf + l.eff * eff;
  if (!Number.isFinite(F)) {
    throw new RangeError(
      `the score F(S) = ${F} is not finite (terms cons ${cons}, colla ${colla}, conf ${conf}, eff ${eff}) with lambda cons = ${l.cons}, ` +
        `colla = ${l.colla}, conf = ${l.conf}, eff = ${l.eff}: the weights are too large for float arithmetic; use smaller lambdas (LIMA's are 20, 5, 0.05, 0.01)`,
    );
  }
  return { cons, colla, conf, eff, F };
}
