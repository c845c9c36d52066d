export { METHODS, METHOD_NAMES, getMethod, methodsForFrontEnd } from "./registry";
export { submodularMethod, type SubmodularAttributor } from "./lima";
export type { AttributionGroup, AttributionMethod, AttributionRequest, AttributionResult, Attributor } from "./types";
