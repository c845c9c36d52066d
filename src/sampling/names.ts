/** The `sampler` option of Kernel SHAP, LIME and RISE: their own draws, or half of them attribution-guided. */
export const SAMPLERS = ["native", "guided"] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** Checks a sampler name, naming the allowed ones. */
export function checkSampler(value: unknown): SamplerName {
  if (typeof value !== "string" || !(SAMPLERS as readonly string[]).includes(value)) throw new RangeError(`sampler ${JSON.stringify(value)} is not allowed: use one of ${SAMPLERS.join(", ")}`);
  return value as SamplerName;
}
