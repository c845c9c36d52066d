/**
 * The explorer's view of the parameter schema (src/params): which division controls it offers,
 * how a method's flat control values become its options object, and how a λ preset choice moves
 * the λ sliders. No default or range is written here; all of them come from the specs.
 */
import { DIVISIONS, NAMED_DIVISIONS } from "../division/registry";
import { divisionChoice, divisionControls, type LambdaValues, PRESETS } from "../params/lima";
import type { ParamSpec } from "../params/types";
import type { RgbImage } from "../types";
import type { NamedPhoto } from "./photos";
import type { ParamValues } from "./protocol";

/** The strategies the explorer offers: those picked by name that need no data besides the photo (a prior map, masks or a label image come from code or files). */
const EXPLORER_DIVISIONS = NAMED_DIVISIONS.filter((d) => d.memoisable);

/**
 * The explorer's division controls, from the division registry: the choice among
 * {@link EXPLORER_DIVISIONS}, then each strategy's own parameters (|V|; felzenszwalb's scale, σ,
 * min size), each marked with the strategies it applies to (`when`), so that the page shows only
 * the chosen strategy's controls.
 */
export const EXPLORER_DIVISION_PARAMS: readonly ParamSpec[] = divisionControls(EXPLORER_DIVISIONS);

/** The division control when the photos bring their own regions (`explore --regions-from`): the given label images, nothing to set. */
export const GIVEN_DIVISION_PARAMS: readonly ParamSpec[] = [divisionChoice([DIVISIONS.labels])];

/**
 * The division controls for these photos: {@link GIVEN_DIVISION_PARAMS} when every photo carries
 * its regions (each the photo's size), else {@link EXPLORER_DIVISION_PARAMS}. Some photos with
 * regions and some without is a RangeError.
 */
export function divisionParamsFor(photos: RgbImage | NamedPhoto | readonly (RgbImage | NamedPhoto)[]): readonly ParamSpec[] {
  const list = (Array.isArray(photos) ? photos : [photos]) as readonly (RgbImage | NamedPhoto)[];
  const withRegions = list.filter((p): p is NamedPhoto => "image" in p && p.regions !== undefined);
  if (withRegions.length === 0) return EXPLORER_DIVISION_PARAMS;
  if (withRegions.length !== list.length) throw new RangeError(`${withRegions.length} of ${list.length} photos carry their regions: give regions for every photo or for none`);
  for (const p of withRegions) {
    const r = p.regions!;
    if (r.width !== p.image.width || r.height !== p.image.height) throw new RangeError(`the regions of photo ${p.title} are ${r.width}×${r.height}; the photo is ${p.image.width}×${p.image.height}`);
  }
  return GIVEN_DIVISION_PARAMS;
}

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
