import type { BlackBoxModel } from "../model/types";
import type { ParamSpec } from "../params/types";
import { type ScoreTarget, targetScore } from "../score/terms";
import type { RgbImage, RunControl } from "../types";
import { throwIfAborted } from "../util/abort";

/** Options every baseline takes. */
export interface BaselineControl extends RunControl {
  /** Class index (or embedding target) to explain. */
  readonly target: number | ScoreTarget;
  /** Called after each model batch with the images done so far. */
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

export function asTarget(target: number | ScoreTarget): ScoreTarget {
  return typeof target === "number" ? { kind: "class", index: target } : target;
}

/**
 * Scores `total` generated images in model-sized chunks (images are made chunk by chunk so memory
 * stays bounded); `make(i)` builds image i, `use(i, score)` receives its target score.
 */
export async function scoreGenerated(
  model: BlackBoxModel,
  total: number,
  make: (i: number) => RgbImage,
  use: (i: number, score: number) => void,
  control: BaselineControl,
): Promise<void> {
  const target = asTarget(control.target);
  const chunk = Math.max(1, model.batchSize);
  for (let start = 0; start < total; start += chunk) {
    throwIfAborted(control.signal);
    const ids = Array.from({ length: Math.min(chunk, total - start) }, (_, k) => start + k);
    const outputs = await model.run(ids.map(make), { signal: control.signal });
    outputs.forEach((o, k) => use(ids[k], targetScore(o, target)));
    control.onProgress?.({ done: start + ids.length, total });
  }
}

/** Checks a positive integer option, naming it. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} ${value} is not allowed: use an integer ≥ 1`);
  return value;
}

/** The defaults of a parameter list as a frozen object (the list is the one place they are written). */
export function defaultsOf<T>(specs: readonly ParamSpec[]): Readonly<T> {
  return Object.freeze(Object.fromEntries(specs.filter((s) => !s.group).map((s) => [s.name, s.default]))) as Readonly<T>;
}
