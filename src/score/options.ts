/**
 * The weights of the four-term submodular score F(S) (METHOD.md §3, LIMA eq. 8 / SMDL eq. 9).
 * Each weight is named; there is no positional form.
 */
export interface Lambdas {
  /** λ1, consistency s_cons. */
  readonly cons: number;
  /** λ2, collaboration s_colla. */
  readonly colla: number;
  /** λ3, confidence s_conf. */
  readonly conf: number;
  /** λ4, effectiveness s_eff. */
  readonly eff: number;
}

import { DEFAULT_LAMBDAS as SCHEMA_DEFAULT, LAMBDAS as LAMBDA_SPECS, PRESETS } from "../params/lima";
import type { NumberParam } from "../params/types";

const ok = (spec: NumberParam, v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= spec.min && v <= spec.max;

/** LIMA's published weights, the `paper` preset of src/params/lima.ts. */
export const LIMA_LAMBDAS: Lambdas = PRESETS.paper;

/** The weights in force when none are given: the default preset's (src/params/lima.ts). */
export const DEFAULT_LAMBDAS: Lambdas = SCHEMA_DEFAULT;

/** SMDL's defaults: every weight 1. */
export const SMDL_LAMBDAS: Lambdas = Object.freeze({ cons: 1, colla: 1, conf: 1, eff: 1 });

/** Confidence term: entropy-based (default, classifiers) or evidential (EDL, SMDL eq. 4); the choices of CONFIDENCE in src/params/lima.ts. */
export type { ConfidenceKind } from "../params/lima";

/** Validates and completes weights (missing ones from {@link DEFAULT_LAMBDAS}, ranges from the schema's LAMBDAS); every bad weight is reported at once. */
export function resolveLambdas(partial: Partial<Lambdas> = {}): Lambdas {
  const l = { ...DEFAULT_LAMBDAS, ...partial };
  const bad = LAMBDA_SPECS.filter((spec) => !ok(spec, l[spec.name as keyof Lambdas]));
  const unknown = Object.keys(partial).filter((k) => !(k in DEFAULT_LAMBDAS));
  const problems = [
    ...bad.map((spec) => `lambda ${spec.name} = ${String(l[spec.name as keyof Lambdas])} is not allowed (a number in ${spec.min}..${spec.max})`),
    ...unknown.map((k) => `unknown lambda "${k}" (allowed: cons, colla, conf, eff)`),
  ];
  if (problems.length) throw new RangeError(problems.join("; "));
  return Object.freeze(l);
}
