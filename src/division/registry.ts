/**
 * The division registry (issue 10): strategy name → its parameters, how it divides, and whether
 * a division it made may be memoised (a property of the strategy: a division made from the image
 * and a few numbers may be; one made from a caller's map, masks or labels may not, since those
 * are not part of the memo key). `divide()` goes through it; adding a strategy is one entry here (the division choices of the
 * commands and the explorer, and their flags and controls, follow from it: src/params/lima.ts).
 */
import { checkParam, type ParamSpec } from "../params/types";
import { REGIONS } from "../params/regions";
import type { Division, RgbImage, SaliencyMap } from "../types";
import { gridDivision } from "./grid";
import { labelsDivision } from "./labels";
import { masksDivision } from "./masks";
import { priorDivision, PRIOR_REGIONS } from "./prior";
import { type SeedGrid, slicoDivision } from "./slico";
import { felzenszwalbDivision, FELZENSZWALB_PARAMS, FH_SCALE } from "./felzenszwalb";

/**
 * How an image is divided. Defaults:
 * - grid: `regions` REGIONS.default, which must be a perfect square N² (N×N patches);
 * - slico: `regions` REGIONS.default (the target; the division reports the count reached), `iterations` 10, `grid` "square";
 * - prior: the prior saliency `map` (any resolution), `n` PRIOR_N (10), `m` PRIOR_REGIONS (25) (SMDL Algorithm 1);
 * - masks: one 0/1 `Uint8Array` per mask at image resolution, `delta` 0.001 (LIMA Algorithm 2);
 * - labels: one region id per pixel at image resolution, one region per distinct id, kept as given;
 * - felzenszwalb: the defaults of FELZENSZWALB_PARAMS (graph segmentation, SEA-NN's
 *   pre-processing); |V| follows from the image and the scale and must lie in the REGIONS range.
 */
export type DivisionOptions =
  | { readonly method: "grid"; readonly regions?: number }
  | { readonly method: "slico"; readonly regions?: number; readonly iterations?: number; readonly grid?: SeedGrid }
  | { readonly method: "prior"; readonly map: SaliencyMap; readonly n?: number; readonly m?: number }
  | { readonly method: "masks"; readonly masks: readonly Uint8Array[]; readonly delta?: number }
  | { readonly method: "labels"; readonly values: ArrayLike<number> }
  | { readonly method: "felzenszwalb"; readonly scale?: number; readonly sigma?: number; readonly minSize?: number };

export type DivisionMethod = DivisionOptions["method"];

/** One registered strategy. */
export interface DivisionStrategy<M extends DivisionMethod = DivisionMethod> {
  readonly name: M;
  readonly title: string;
  /** The numbers a caller may name (data, e.g. `map`, `masks`, `values`, are not parameters). */
  readonly params: readonly ParamSpec[];
  /** Whether a division may be memoised by (image, options): false when the options carry data. */
  readonly memoisable: boolean;
  /**
   * Whether a user picks it by name (`--division`, the explorer's division control; the explorer
   * and `eval` offer only the memoisable ones). Strategies fed by data in code or by their own
   * flag (masks; labels through `--regions-from`) are not.
   */
  readonly byName: boolean;
  /** What a user should know when picking it, for the `--division` meaning (e.g. a flag it needs). */
  readonly hint?: string;
  divide(image: RgbImage, options: Extract<DivisionOptions, { method: M }>): Division;
}

/** The |V| a grid can have: the perfect squares in the REGIONS range, in words ("4, 9, 16, …, 400"). */
export function gridCountsText(): string {
  const squares: number[] = [];
  for (let n = 1; n * n <= REGIONS.max; n++) if (n * n >= REGIONS.min) squares.push(n * n);
  return `${squares.slice(0, 8).join(", ")}, …, ${squares.at(-1)}`;
}

/** N for a grid of `regions` = N² patches; throws unless `regions` is a perfect square. */
export function gridSide(regions: number): number {
  checkParam(REGIONS, regions);
  const n = Math.round(Math.sqrt(regions));
  if (n * n !== regions) throw new RangeError(`grid regions ${regions} is not a perfect square; use ${gridCountsText()}`);
  return n;
}

const grid: DivisionStrategy<"grid"> = {
  name: "grid", title: "N×N grid (METHOD.md §2)", params: [REGIONS], memoisable: true, byName: true, hint: "|V| a perfect square",
  divide: (image, o) => gridDivision(image.width, image.height, { n: gridSide(o.regions ?? REGIONS.default) }),
};

const slico: DivisionStrategy<"slico"> = {
  name: "slico", title: "SLICO superpixels (METHOD.md §2)", params: [REGIONS], memoisable: true, byName: true,
  divide: (image, o) => slicoDivision(image, { ...o, regions: checkParam(REGIONS, o.regions ?? REGIONS.default) as number }),
};

const prior: DivisionStrategy<"prior"> = {
  name: "prior", title: "prior saliency map (SMDL Algorithm 1)", params: [PRIOR_REGIONS], memoisable: false, byName: true, hint: "needs --prior-map",
  divide: (image, o) => priorDivision(o.map, o, image.width, image.height),
};

const masks: DivisionStrategy<"masks"> = {
  name: "masks", title: "segment masks (LIMA Algorithm 2)", params: [], memoisable: false, byName: false,
  divide: (image, o) => masksDivision(o.masks, image.width, image.height, o),
};

const labels: DivisionStrategy<"labels"> = {
  name: "labels", title: "a label image (one region per distinct value)", params: [], memoisable: false, byName: false, hint: "--regions-from",
  divide: (image, o) => labelsDivision(o.values, image.width, image.height),
};

const felzenszwalb: DivisionStrategy<"felzenszwalb"> = {
  name: "felzenszwalb", title: "Felzenszwalb–Huttenlocher graph segmentation (SEA-NN's pre-processing)", params: FELZENSZWALB_PARAMS, memoisable: true, byName: true,
  hint: "|V| follows from the scale: larger, fewer regions",
  divide: (image, o) => {
    const division = felzenszwalbDivision(image, o);
    // The count follows from the image and the scale; the searches and the curves need it in the REGIONS range.
    if (division.count < REGIONS.min || division.count > REGIONS.max) {
      const scale = o.scale ?? FH_SCALE.default;
      throw new RangeError(`felzenszwalb at scale ${scale} gave ${division.count} regions; |V| must be ${REGIONS.min}..${REGIONS.max}: ${division.count > REGIONS.max ? "raise" : "lower"} the scale`);
    }
    return division;
  },
};

/** The default division: SLICO with the schema's default |V|. */
export const DEFAULT_DIVISION: DivisionOptions = Object.freeze({ method: "slico", regions: REGIONS.default });

/** Every registered strategy, by name. */
export const DIVISIONS: { readonly [M in DivisionMethod]: DivisionStrategy<M> } = { slico, grid, prior, felzenszwalb, masks, labels };

export const DIVISION_METHODS = Object.keys(DIVISIONS) as DivisionMethod[];

/** The strategy of a name; a RangeError naming the allowed ones otherwise. */
export function getDivision(name: string): DivisionStrategy {
  if (!Object.hasOwn(DIVISIONS, name)) throw new RangeError(`division method ${JSON.stringify(name)} is not allowed: use one of ${DIVISION_METHODS.join(", ")}`);
  return DIVISIONS[name as DivisionMethod] as DivisionStrategy;
}

/** The strategies a user picks by name, in registry order (the `--division` choices). */
export const NAMED_DIVISIONS: readonly DivisionStrategy[] = Object.values(DIVISIONS).filter((d) => d.byName) as DivisionStrategy[];

/**
 * The options a strategy takes from flat values (one per parameter name, e.g. the explorer's
 * `{ division, regions, scale, … }`): the strategy's own parameters, the rest left out.
 */
export function divisionOptionsFrom(values: Readonly<Record<string, unknown>>): DivisionOptions {
  const strategy = getDivision(String(values.division));
  const own = strategy.params.filter((p) => values[p.name] !== undefined).map((p) => [p.name, values[p.name]]);
  return { method: strategy.name, ...Object.fromEntries(own) } as DivisionOptions;
}

/** Whether divisions of this strategy may be memoised (false for unknown names). */
export function isMemoisable(name: string): boolean {
  return Object.hasOwn(DIVISIONS, name) && DIVISIONS[name as DivisionMethod].memoisable;
}

/** Divides an image (at model resolution) by the named strategy (METHOD.md §2). */
export function divide(image: RgbImage, options: DivisionOptions): Division {
  return getDivision((options as { method: string }).method).divide(image, options as never);
}
