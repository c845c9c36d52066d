/** The registered metrics; adding one is an import and a line (issue 10). */
import { localisationMetric } from "./localisation";
import { rsrgMetric, srgMetric } from "./srg";
import type { MetricSpec } from "./types";

export const METRICS: readonly MetricSpec[] = [
  srgMetric,
  rsrgMetric,
  localisationMetric,
];
