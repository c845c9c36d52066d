import type { ModelOutput } from "../model/types";
import { cosine, softmax } from "../util/math";

/**
 * What is explained: a class of a classifier, a class of an embedding model's class bank, or a
 * single target vector (METHOD.md §3).
 */
export type ScoreTarget =
  | { readonly kind: "class"; readonly index: number }
  | { readonly kind: "bank"; readonly index: number; readonly bank: readonly Float32Array[]; readonly tau?: number }
  | { readonly kind: "vector"; readonly vector: Float32Array };

/** The target-score distribution p(x) of one model output, or undefined for a single vector. */
export function distribution(output: ModelOutput, target: ScoreTarget): Float32Array | undefined {
  if (target.kind === "class") return output.probs;
  if (target.kind === "vector") return undefined;
  const tau = target.tau ?? 100;
  return softmax(target.bank.map((row) => tau * cosine(output.features, row)));
}

/** The target score of one output: p(x)[c], or cos(F(x), f_s) for a single target vector. */
export function targetScore(output: ModelOutput, target: ScoreTarget): number {
  if (target.kind === "vector") return cosine(output.features, target.vector);
  return distribution(output, target)![target.index];
}

const EPS = 1e-7;

/** s_conf = 1 − H(p)/log C with eps 1e-7 inside the log (METHOD.md §3); 0 for a single vector. */
export function entropyConfidence(output: ModelOutput, target: ScoreTarget): number {
  const p = distribution(output, target);
  if (!p) return 0;
  let h = 0;
  for (let i = 0; i < p.length; i++) h -= p[i] * Math.log(p[i] + EPS);
  return 1 - h / Math.log(p.length);
}

/** EDL confidence (SMDL eq. 4): e = exp(clamp(logits, −10, 10)), s_conf = 1 − C / Σ(e_k + 1). */
export function edlConfidence(output: ModelOutput): number {
  const logits = output.logits;
  if (!logits) throw new TypeError("EDL confidence needs a model that outputs logits (outputKind \"logits\")");
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(Math.min(10, Math.max(-10, logits[i]))) + 1;
  return 1 - logits.length / sum;
}

/** d(a, b) = arccos(clamp(cos(a, b), −1, 1)) / π, the effectiveness distance (METHOD.md §3). */
export function angularDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.acos(Math.min(1, Math.max(-1, cosine(a, b)))) / Math.PI;
}

/** The m×m matrix of angular distances between the regions' feature vectors φ_i. */
export function distanceMatrix(features: readonly ArrayLike<number>[]): Float64Array {
  const m = features.length;
  const d = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) d[i * m + j] = d[j * m + i] = angularDistance(features[i], features[j]);
  }
  return d;
}

/** s_eff(S) = Σ_{i∈S} min_{j∈S, j≠i} d(φ_i, φ_j); 0 when |S| ≤ 1 (METHOD.md §3). */
export function effectiveness(subset: readonly number[], distances: Float64Array, m: number): number {
  if (subset.length <= 1) return 0;
  let total = 0;
  for (const i of subset) {
    let min = Infinity;
    for (const j of subset) if (j !== i && distances[i * m + j] < min) min = distances[i * m + j];
    total += min;
  }
  return total;
}
