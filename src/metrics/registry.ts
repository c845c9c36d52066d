/**
 * The metric registry (issue 10): each {@link MetricSpec} evaluates an attribution result on a
 * benchmark (model, image, target) and yields named numbers. `eval` iterates it; adding a metric
 * is one spec (one file) plus one line here.
 */
import type { AttributionResult } from "../methods/types";
import type { NumberParam } from "../params/types";
import { InsertionDeletion, MuFidelity } from "./bound";
import { ATTRIBUTION_ERROR_METRIC, GROUPED_METRIC } from "./grouped";
import { localisationMetric } from "./localisation";
import { rsrgMetric, srgMetric } from "./srg";
import type { MetricBenchmark, MetricSpec } from "./types";
import { MDRS_METRIC } from "./mdrs";

export const STEPS: NumberParam = { kind: "number", name: "steps", label: "steps", default: 50, min: 1, max: 1000, integer: true, unit: "steps", meaning: "pixel insertion/deletion steps (steps + 1 points per curve)" };
export const MU_SAMPLES: NumberParam = { kind: "number", name: "samples", label: "μF masks", flag: "mu-samples", default: 200, min: 3, max: 100_000, integer: true, unit: "masks", meaning: "μFidelity's random masks" };
export const MU_GRID: NumberParam = { kind: "number", name: "grid", label: "μF grid", flag: "mu-grid", default: 9, min: 1, max: 64, integer: true, unit: "cells", meaning: "μFidelity's mask grid side" };

/** One InsertionDeletion per benchmark and steps, so the three pixel metrics share their curves. */
const bound = new WeakMap<MetricBenchmark, Map<string, InsertionDeletion>>();
function insertionDeletion(bench: MetricBenchmark, options: Readonly<Record<string, unknown>>): InsertionDeletion {
  const steps = (options.steps as number | undefined) ?? STEPS.default;
  const ranges = options.ranges as readonly number[] | undefined;
  const key = `${steps}|${ranges?.join(",") ?? ""}`;
  let byKey = bound.get(bench);
  if (!byKey) bound.set(bench, (byKey = new Map()));
  let metric = byKey.get(key);
  if (!metric) byKey.set(key, (metric = new InsertionDeletion({ model: bench.model, image: bench.image, target: bench.target, baseline: bench.baseline, signal: bench.signal, steps, ranges })));
  return metric;
}

/** Pixel insertion and deletion AUC (METHOD.md §6; LIMA eqs. 13-14) and LIMA §5's strong interactions. */
export const PIXEL_CURVES: MetricSpec = {
  name: "pixel",
  columns: [
    { key: "insertion", label: "insertion", better: "higher" },
    { key: "deletion", label: "deletion", better: "lower" },
    { key: "strongInteractions", label: "strong interactions", better: "lower" },
  ],
  params: [STEPS],
  async evaluate(bench, result: AttributionResult, options = {}) {
    const s = await insertionDeletion(bench, options).evaluate(result.map);
    return { insertion: s.insertion, deletion: s.deletion, strongInteractions: s.strongInteractions };
  },
};

/** Highest confidence within area budgets (LIMA eq. 15), read off the pixel insertion curve; columns "highestConfidence.<budget>". */
export const HIGHEST_CONFIDENCE: MetricSpec = {
  name: "highestConfidence",
  columns: [0.25, 0.5, 0.75, 1].map((p) => ({ key: `highestConfidence.${p}`, label: `highest confidence ≤ ${p * 100}%`, better: "higher" as const })),
  params: [STEPS],
  async evaluate(bench, result, options = {}) {
    const s = await insertionDeletion(bench, options).evaluate(result.map);
    return Object.fromEntries(Object.entries(s.highestConfidence).map(([p, v]) => [`highestConfidence.${p}`, v]));
  },
};

/** μFidelity (METHOD.md §6): correlation of the score drop with the map's mass over random dropped cells. */
export const MU_FIDELITY: MetricSpec = {
  name: "muFidelity",
  columns: [{ key: "muFidelity", label: "μFidelity", better: "higher" }],
  params: [MU_SAMPLES, MU_GRID],
  async evaluate(bench, result, options = {}) {
    const mu = await new MuFidelity({
      model: bench.model, image: bench.image, target: bench.target, baseline: bench.baseline, signal: bench.signal, seed: bench.seed,
      samples: (options.samples as number | undefined) ?? MU_SAMPLES.default, grid: (options.grid as number | undefined) ?? MU_GRID.default,
      correlation: options.correlation as "spearman" | "pearson" | undefined,
    }).evaluate(result.map);
    const out: Record<string, number> = {};
    if (Number.isFinite(mu)) out.muFidelity = mu;
    return out;
  },
};

export const METRICS: readonly MetricSpec[] = [PIXEL_CURVES, HIGHEST_CONFIDENCE, MU_FIDELITY, GROUPED_METRIC, ATTRIBUTION_ERROR_METRIC, MDRS_METRIC, srgMetric, rsrgMetric, localisationMetric];

/** The metrics eval computes unless told otherwise (`--metrics`): METHOD.md §6's protocol. */
export const DEFAULT_METRICS: readonly string[] = [PIXEL_CURVES.name, HIGHEST_CONFIDENCE.name, MU_FIDELITY.name];

/** The metric of a name; a RangeError listing the allowed names otherwise. */
export function getMetric(name: string): MetricSpec {
  const metric = METRICS.find((m) => m.name === name);
  if (!metric) throw new RangeError(`metric ${JSON.stringify(name)} is not allowed: use one of ${METRICS.map((m) => m.name).join(", ")}`);
  return metric;
}
