/**
 * The metric registry (issue 10): each {@link MetricSpec} evaluates an attribution result on a
 * benchmark (model, image, target) and yields named numbers. `eval` iterates it; adding a metric
 * is one spec (one file) plus one line here.
 */
import type { AttributionResult } from "../methods/types";
import { checkParam, flagOf, type NumberParam, type ParamSpec } from "../params/types";
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

/**
 * The key of a metric's parameter in eval's metric options and in a record's settings: its flag in
 * camelCase (--mu-samples → muSamples, --rsrg-masks → rsrgMasks). Flags are unique across the
 * metrics, so two metrics may give their own parameters the same name ("samples") without colliding.
 */
export function metricOptionKey(p: ParamSpec): string {
  return flagOf(p).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Every metric's own parameters, each once (pixel and highest confidence share STEPS). */
export const METRIC_PARAMS: readonly ParamSpec[] = checkMetricParams([...new Set(METRICS.flatMap((m) => m.params))]);

function checkMetricParams(params: ParamSpec[]): ParamSpec[] {
  const byKey = new Map<string, ParamSpec>();
  for (const p of params) {
    const seen = byKey.get(metricOptionKey(p));
    if (seen) throw new TypeError(`metric parameters ${seen.label} and ${p.label} share the flag --${flagOf(p)}: give one its own flag`);
    byKey.set(metricOptionKey(p), p);
  }
  return params;
}

/**
 * One metric's options, built from its own declared parameters: each read from `given` under its
 * {@link metricOptionKey} and checked against its spec (its default when absent), under the
 * parameter's own name, plus the options every metric may read (`shared`: ranges, correlation).
 */
export function metricOptionsFor(metric: MetricSpec, given: Readonly<Record<string, unknown>>, shared: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const own = Object.fromEntries(metric.params.map((p) => [p.name, given[metricOptionKey(p)] === undefined ? p.default : checkParam(p, given[metricOptionKey(p)])]));
  return { ...shared, ...own };
}

/** The metrics eval computes unless told otherwise (`--metrics`): METHOD.md §6's protocol. */
export const DEFAULT_METRICS: readonly string[] = [PIXEL_CURVES.name, HIGHEST_CONFIDENCE.name, MU_FIDELITY.name];

/** The metric of a name; a RangeError listing the allowed names otherwise. */
export function getMetric(name: string): MetricSpec {
  const metric = METRICS.find((m) => m.name === name);
  if (!metric) throw new RangeError(`metric ${JSON.stringify(name)} is not allowed: use one of ${METRICS.map((m) => m.name).join(", ")}`);
  return metric;
}
