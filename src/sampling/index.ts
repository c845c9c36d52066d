/**
 * Coalition samplers over the regions of a division (a coalition is a 0/1 vector, 1 = region
 * kept): the Shapley-kernel sampler of Kernel SHAP / FastSHAP and SALVAGE's attribution-guided
 * sampler (SALVAGE §4.2, Algorithm 3), shared by SALVAGE, Kernel SHAP, LIME and RISE.
 */
export { shapleyKernelSizes, shapleyKernelSubsets, uniformSubset } from "./kernel";
export { minMaxNormalise, weightedDraw, guidedSubsets, GUIDED_SAMPLER, type GuidedHalf } from "./guided";
export { SAMPLERS, type SamplerName, checkSampler, samplerParam } from "./names";
