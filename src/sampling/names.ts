import type { ChoiceParam } from "../params/types";

/** The `sampler` option of Kernel SHAP, LIME and RISE: their own draws, or half of them attribution-guided. */
export const SAMPLERS = ["native", "guided"] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** Checks a sampler name, naming the allowed ones. */
export function checkSampler(value: unknown): SamplerName {
  if (typeof value !== "string" || !(SAMPLERS as readonly string[]).includes(value)) throw new RangeError(`sampler ${JSON.stringify(value)} is not allowed: use one of ${SAMPLERS.join(", ")}`);
  return value as SamplerName;
}

/** The `sampler` parameter of a baseline, with its own CLI flag (e.g. "rise-sampler"). */
export function samplerParam(flag: string): ChoiceParam {
  return { kind: "choice", name: "sampler", label: "sampler", flag, default: "native", choices: SAMPLERS, meaning: "coalition sampler: the method's own, or half of the draws attribution-guided (SALVAGE Algorithm 3)" };
}
