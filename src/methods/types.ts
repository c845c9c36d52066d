/**
 * The one interface every attribution method implements (issue 10), in Captum's shape: a
 * registered {@link AttributionMethod} describes itself (name, paper, its own parameter schema)
 * and creates an {@link Attributor} bound to a model and resolved options; `attribute(image,
 * request)` takes the data and returns an {@link AttributionResult}.
 *
 * Adding a method is one folder under src/methods/ exporting an AttributionMethod, plus one line
 * in src/methods/registry.ts. The CLI (`--method`), `eval`, the library and the explorer iterate
 * the registry.
 */
import type { BlackBoxModel } from "../model/types";
import type { ParamSpec } from "../params/types";
import type { Division, RgbImage, RunControl, SaliencyMap } from "../types";

/** A group of regions or pixels with one score (Sum-of-Parts, Definition 2). Groups may overlap. */
export interface AttributionGroup {
  /** 0/1 per pixel at model resolution, row-major. */
  readonly mask: Uint8Array;
  /** The group's score (for LIMA: the marginal gain of the prefix; for SOP: its weight × partial logit). */
  readonly score: number;
  /** Region indices of the division the group is made of, when it is made of regions. */
  readonly regions?: readonly number[];
}

/** What one `attribute` call is given besides the image. */
export interface AttributionRequest extends RunControl {
  /** Class index to explain. */
  readonly target: number;
  /**
   * Regions to work on, for methods that work on regions (LIMA, SMDL, Kernel SHAP, LIME, SEA-NN,
   * SALVAGE…). When absent such a method divides the image itself with its own options. Eval
   * passes one division so that region methods share the same regions.
   */
  readonly division?: Division;
  /** Fraction done, 0..1, called now and then. */
  readonly onProgress?: (fraction: number) => void;
}

/** The shared result contract of every method (checked by the registry test on the square world). */
export interface AttributionResult {
  /** The registry name of the method that produced it. */
  readonly method: string;
  /** The saliency map at model resolution, finite values, larger = more important. */
  readonly map: SaliencyMap;
  /** Region order, most important first, where the method has one (LIMA, SMDL, SEA-NN). */
  readonly order?: readonly number[];
  /** The division the map and order refer to, for region methods. */
  readonly division?: Division;
  /** Grouped attributions, where the method produces groups. */
  readonly groups?: readonly AttributionGroup[];
  /** Images the model ran for this result. */
  readonly forwardPasses: number;
  /** Images answered from the method's own output cache instead (LIMA and SMDL keep one per
   * attributor, so a λ or n_p change re-uses it); absent for methods without one. */
  readonly cacheHits?: number;
  /** Wall time in milliseconds. */
  readonly ms: number;
  /** Method-specific extras (LIMA's curves and steps, SALVAGE's φ⁺/φ⁻…), JSON-serialisable. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A method bound to a model and its resolved options. Anything owning resources has dispose(). */
export interface Attributor {
  attribute(image: RgbImage, request: AttributionRequest): Promise<AttributionResult>;
  /**
   * Optional: re-binds new options (checked like create's) in place, keeping whatever the
   * attributor memoised. The explorer uses it so that a λ or n_p change re-runs LIMA from its
   * own output cache instead of a fresh attributor's.
   */
  setOptions?(options: Readonly<Record<string, unknown>>): void;
  dispose?(): void | Promise<void>;
}

/** A registered method: what it is, its options as data, and a factory. */
export interface AttributionMethod {
  /** Registry key, lower case, e.g. "lima", "rise", "seann". */
  readonly name: string;
  /** Human title, e.g. "LIMA (bidirectional submodular search)". */
  readonly title: string;
  /** The paper it implements, e.g. "Chen et al. 2025, LIMA, Algorithm 1". */
  readonly paper: string;
  /** Its own options; defaults and ranges live here and nowhere else. */
  readonly params: readonly ParamSpec[];
  /** Whether it works on a division's regions (then eval passes the shared division). */
  readonly usesDivision: boolean;
  /**
   * What the method must be given before it can run, when it is more than a model (e.g. SOP: "a
   * GroupSelect trained by `lima-xai sop-train` for this ONNX model"). Such a method has its own
   * contract test with that training done; the generic square-world contract test covers the rest.
   */
  readonly needs?: string;
  /**
   * Binds the method to a model. `options` are checked against `params` (unknown keys and values
   * out of range throw one RangeError naming each); missing ones take their defaults.
   */
  create(model: BlackBoxModel, options?: Readonly<Record<string, unknown>>): Attributor;
}
