/**
 * The explorer's view of the parameter schema (src/params): which division controls it offers,
 * how a method's flat control values become its options object, and how a λ preset choice moves
 * the λ sliders. No default or range is written here; all of them come from the specs.
 */
import { isMemoisable } from "../division";
import { DIVISION, type LambdaValues, PRESETS, REGIONS } from "../params/lima";
import type { ParamSpec } from "../params/types";
import type { ParamValues } from "./protocol";

/**
 * The explorer's division controls: the schema's division choice, limited to the strategies that
 * need no data besides the photo (a prior map, masks or a label image come from code or files),
 * and |V|.
 */
export const EXPLORER_DIVISION_PARAMS: readonly ParamSpec[] = [{ ...DIVISION, choices: DIVISION.choices.filter(isMemoisable) }, REGIONS];

/**
 * A method's options object from the explorer's flat values (one per spec name): a spec with a
 * `group` goes into that sub-object, so λ travels as the nested `lambdas: { cons, … }`.
 */
export function methodOptions(specs: readonly ParamSpec[], values: ParamValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const v = values[spec.name];
    if (v === undefined) continue;
    if (spec.group) ((out[spec.group] ??= {}) as Record<string, unknown>)[spec.name] = v;
    else out[spec.name] = v;
  }
  return out;
}

/**
 * When a change picks another λ preset, the λ values the same change left as they were take the
 * preset's weights (a λ moved in the same change wins), so the sliders show what will run.
 */
export function applyPreset(specs: readonly ParamSpec[], previous: ParamValues | undefined, next: Record<string, unknown>): Record<string, unknown> {
  const preset = next.preset;
  if (typeof preset !== "string" || preset === previous?.preset || !Object.hasOwn(PRESETS, preset)) return next;
  const weights = PRESETS[preset as keyof typeof PRESETS];
  const out = { ...next };
  for (const spec of specs) {
    if (spec.group !== "lambdas" || !Object.hasOwn(weights, spec.name)) continue;
    if (previous === undefined || out[spec.name] === undefined || out[spec.name] === previous[spec.name]) out[spec.name] = weights[spec.name as keyof LambdaValues];
  }
  return out;
}
