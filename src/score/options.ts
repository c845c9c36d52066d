/**
 * The weights of the four-term submodular score F(S) (METHOD.md §3, LIMA eq. 7 / SMDL eq. 8).
 * Each weight is named; there is no positional form.
 */
export interface Lambdas {
  /** λ1, consistency s_cons (default 20, LIMA). */
  readonly cons: number;
  /** λ2, collaboration s_colla (default 5, LIMA). */
  readonly colla: number;
  /** λ3, confidence s_conf (default 0.05, LIMA). */
  readonly conf: number;
  /** λ4, effectiveness s_eff (default 0.01, LIMA). */
  readonly eff: number;
}

/** LIMA's published defaults: λ = (cons 20, colla 5, conf 0.05, eff 0.01). */
export const LIMA_LAMBDAS: Lambdas = Object.freeze({ cons: 20, colla: 5, conf: 0.05, eff: 0.01 });

/** SMDL's defaults: every weight 1. */
export const SMDL_LAMBDAS: Lambdas = Object.freeze({ cons: 1, colla: 1, conf: 1, eff: 1 });

/** Confidence term: entropy-based (default, classifiers) or evidential (EDL, SMDL eq. 4). */
export type ConfidenceKind = "entropy" | "edl";

/** Validates and completes weights; every bad weight is reported at once. */
export function resolveLambdas(partial: Partial<Lambdas> = {}): Lambdas {
  const l = { ...LIMA_LAMBDAS, ...partial };
  const bad = (Object.keys(l) as (keyof Lambdas)[]).filter((k) => typeof l[k] !== "number" || !Number.isFinite(l[k]) || l[k] < 0);
  const unknown = Object.keys(partial).filter((k) => !(k in LIMA_LAMBDAS));
  const problems = [
    ...bad.map((k) => `lambda ${k} = ${String(l[k])} is not allowed (a finite number ≥ 0)`),
    ...unknown.map((k) => `unknown lambda "${k}" (allowed: cons, colla, conf, eff)`),
  ];
  if (problems.length) throw new RangeError(problems.join("; "));
  return Object.freeze(l);
}
