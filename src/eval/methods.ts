/**
 * The methods an evaluation compares: every method of the registry (src/methods/registry.ts), run
 * through its AttributionMethod interface. Options and recorded settings come from each method's
 * own parameter schema.
 */
import { DEFAULT_DIVISION, type DivisionOptions } from "../division";
import { METHOD_NAMES, getMethod } from "../methods/registry";
import type { AttributionResult } from "../methods/types";
import type { BlackBoxModel } from "../model/types";
import { PRESET, presetLambdas, type LambdaValues } from "../params/lima";
import { resolveParamTree } from "../params/types";
import type { Division, RgbImage, SaliencyMap } from "../types";

/** Methods an evaluation can compare: every registered name, in registry order. */
export const EVAL_METHODS: readonly string[] = METHOD_NAMES;
export type EvalMethod = string;

/**
 * Options of every method, each under its own registry name (e.g. `rise: { masks: 500 }`,
 * `lima: { np: 4, lambdas: { eff: 0 } }`); a missing field takes the method's own default.
 * `division` gives the regions that every region method shares (default DEFAULT_DIVISION).
 */
export interface MethodOptions {
  /** The shared regions: how to divide, or (`--regions-from`) where the label images come from (recorded as given). */
  readonly division?: DivisionOptions | { readonly method: "labels"; readonly from: string };
  readonly [method: string]: unknown;
}

/** One method's own options out of {@link MethodOptions}. */
export function optionsOf(options: MethodOptions, method: EvalMethod): Readonly<Record<string, unknown>> {
  const o = options[method];
  return o && typeof o === "object" && method !== "division" ? (o as Record<string, unknown>) : {};
}

/**
 * The options that shape one method's map, resolved against its schema (so a flag left out and a
 * flag set to its default record the same), for the record and for checking a resumed run. λ are
 * the ones in force (preset plus explicit weights); region methods add the shared division.
 */
export function methodSettings(method: EvalMethod, options: MethodOptions): Record<string, unknown> {
  const m = getMethod(method);
  const given = optionsOf(options, method);
  const resolved: Record<string, unknown> = resolveParamTree(m.params, given);
  if (m.params.includes(PRESET)) resolved.lambdas = presetLambdas(resolved.preset as string, given.lambdas as Partial<LambdaValues> | undefined);
  return m.usesDivision ? { division: options.division ?? DEFAULT_DIVISION, ...resolved } : resolved;
}

/** The state a method run needs besides the image. */
export interface MethodContext {
  readonly model: BlackBoxModel;
  /** The shared division, for region methods. */
  readonly division?: Division;
  readonly target: number;
  readonly options: MethodOptions;
  readonly signal?: AbortSignal;
  /** Fraction of the method done, 0..1. */
  readonly onProgress?: (fraction: number) => void;
}

/** What one method produced: its map and its cost. */
export interface MethodRun {
  readonly map: SaliencyMap;
  /** Images the model ran for this method. */
  readonly forwardPasses: number;
  readonly ms: number;
  /** The full result of the method. */
  readonly result: AttributionResult;
}

/** Runs one registered method on one image for one class (a fresh attributor, so no cache crosses images). */
export async function runMethod(method: EvalMethod, image: RgbImage, ctx: MethodContext): Promise<MethodRun> {
  const m = getMethod(method);
  const attributor = m.create(ctx.model, optionsOf(ctx.options, method));
  try {
    const result = await attributor.attribute(image, { target: ctx.target, division: m.usesDivision ? ctx.division : undefined, signal: ctx.signal, onProgress: ctx.onProgress });
    return { map: result.map, forwardPasses: result.forwardPasses, ms: result.ms, result };
  } finally {
    await attributor.dispose?.();
  }
}

/** The shared regions when none are given. */
export const DEFAULT_EVAL_DIVISION: DivisionOptions = DEFAULT_DIVISION;
