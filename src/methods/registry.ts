/**
 * The method registry (issue 10): every attribution method, in one list. `eval`, the CLI
 * (`--method`), the library and the explorer iterate it. Adding a method is one file under
 * src/methods/ exporting an {@link AttributionMethod}, plus one line here.
 */
import { HSIC } from "./hsic";
import { KERNELSHAP } from "./kernelshap";
import { LIMA } from "./lima";
import { LIME } from "./lime";
import { OCCLUSION } from "./occlusion";
import { RISE } from "./rise";
import { salvageMethod } from "./salvage";
import { SMDL } from "./smdl";
import { SOP } from "./sop/method";
import { seannMethod as SEANN } from "./seann";
import type { AttributionMethod } from "./types";

export const METHODS: readonly AttributionMethod[] = [
  LIMA,
  RISE,
  OCCLUSION,
  KERNELSHAP,
  LIME,
  HSIC,
  SMDL,
  SOP,
  SEANN,
  salvageMethod,
];

/** The registered names, in registry order. */
export const METHOD_NAMES: readonly string[] = METHODS.map((m) => m.name);

/** The method of a name; a RangeError listing the allowed names otherwise. */
export function getMethod(name: string): AttributionMethod {
  const method = METHODS.find((m) => m.name === name);
  if (!method) throw new RangeError(`method ${JSON.stringify(name)} is not allowed: use one of ${METHOD_NAMES.join(", ")}`);
  return method;
}

/** The registry as plain JSON for the explorer's method selector: each method's name, title, paper and own controls. */
export function methodsForFrontEnd(): { name: string; title: string; paper: string; usesDivision: boolean; params: unknown[] }[] {
  return JSON.parse(JSON.stringify(METHODS.map((m) => ({ name: m.name, title: m.title, paper: m.paper, usesDivision: m.usesDivision, params: m.params }))));
}
