/** The registered attribution methods; adding one is an import and a line (issue 10). */
import { salvageMethod } from "./salvage";
import type { AttributionMethod } from "./types";

export const METHODS: readonly AttributionMethod[] = [
  salvageMethod,
];
