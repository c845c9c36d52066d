/**
 * |V|, the one region-count parameter, in a module of its own so that the division strategies
 * (src/division) can bound their counts by it while src/params/lima.ts derives the division
 * choices from the division registry (no import cycle). Re-exported by src/params/lima.ts.
 */
import type { NumberParam } from "./types";

/** |V|: one bound everywhere (CLI, library, kernel, sliders). */
export const REGIONS: NumberParam = {
  kind: "number", name: "regions", label: "|V|", default: 49, min: 2, max: 400, integer: true, unit: "regions",
  meaning: "number of regions the image is divided into, for slico and grid (SLICO reports the count it reached; grid needs a perfect square); felzenszwalb's count follows from --fh-scale instead",
};
