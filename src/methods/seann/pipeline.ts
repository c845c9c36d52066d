/**
 * SEA-NN's pipeline pieces shared by the per-image method and the global (class-level) map:
 * its options as data, the pre-processing of source maps into the supervision of eq. 2, and
 * training + Algorithm 1 on the grid cells.
 */
import { felzenszwalbDivision, FH_MIN_SIZE, FH_SCALE, FH_SIGMA } from "../../division/felzenszwalb";
import { gridDivision } from "../../division/grid";
import { SEED } from "../../params/lima";
import { type ParamSpec, resolveParams } from "../../params/types";
import type { Division, RgbImage, SaliencyMap } from "../../types";
import { throwIfAborted } from "../../util/abort";
import { createRandom } from "../../util/random";
import { createDsf, type Dsf, DSF_ACTIVATIONS, type DsfActivation, dsfValue, PAPER_HIDDEN } from "./dsf";
import { attributeByMarginalGains } from "./greedy";
import { PAPER_PERCENTILES, preprocessMap, UPSAMPLE_MODES, type UpsampleMode } from "./preprocess";
import { DEFAULT_SOURCES, parseSources, SEANN_SOURCES, type SeannSource } from "./sources";
import { type Supervision, TRAIN_DEFAULTS, trainDsf } from "./train";

/** DSF hidden-layer presets: the paper's (supplement S3) and a smaller one for quick looks. */
export const DSF_SHAPES: Readonly<Record<"paper" | "small", readonly number[]>> = { paper: PAPER_HIDDEN, small: [128, 32, 8] };

/** SEA-NN's options as data; defaults are the paper's ImageNet settings where it gives them. */
export const SEANN_PARAMS: readonly ParamSpec[] = ([
  { kind: "choice", name: "sources", label: "sources", default: DEFAULT_SOURCES.join(","), choices: ["rise,occlusion,lime", "rise,occlusion", "lima,rise,lime", "lima,rise,occlusion,lime", "rise,occlusion,kernelshap,lime,hsic", SEANN_SOURCES.join(",")], meaning: `methods whose maps are ensembled (any comma-separated subset of ${SEANN_SOURCES.join(", ")} is accepted)` },
  { kind: "number", name: "riseMasks", label: "RISE masks", default: 1000, min: 10, max: 20000, integer: true, unit: "masks", meaning: "masks of the RISE source map" },
  // The segments' options are the felzenszwalb division's (defaults, ranges), under SEA-NN's own flags.
  { ...FH_SCALE, label: "segment scale", meaning: "Felzenszwalb–Huttenlocher scale of the pre-processing segments (paper: 500 on ImageNet)" },
  { ...FH_SIGMA, label: "segment σ", meaning: "Gaussian smoothing before segmentation" },
  { ...FH_MIN_SIZE, label: "segment min size", meaning: "smallest segment" },
  { kind: "number", name: "grid", label: "grid", default: 28, min: 2, max: 64, integer: true, unit: "cells per side", meaning: "side of the sub-sampled grid the DSF works on (28 → 784 inputs, the paper's)" },
  { kind: "choice", name: "dsf", label: "DSF shape", default: "paper", choices: ["paper", "small"], meaning: "hidden layers: paper = 512, 128, 32; small = 128, 32, 8" },
  { kind: "choice", name: "activation", label: "activation", default: "sqrt", choices: [...DSF_ACTIVATIONS], meaning: "concave monotone activation of the hidden layers" },
  { kind: "number", name: "epochs", label: "epochs", default: TRAIN_DEFAULTS.epochs, min: 0, max: 1000, integer: true, meaning: "projected subgradient steps on eq. 2" },
  { kind: "number", name: "learningRate", label: "learning rate", default: TRAIN_DEFAULTS.learningRate, min: 0, max: 10, step: 0.001, meaning: "Adam step size (not given by the paper)" },
  { kind: "number", name: "lambda", label: "λ", default: TRAIN_DEFAULTS.lambda, min: 0, max: 100, step: 1e-5, meaning: "L2 penalty of eq. 2" },
  { kind: "number", name: "lambda1", label: "λ₁", default: TRAIN_DEFAULTS.lambda1, min: 0, max: 1000, step: 0.1, meaning: "weight of the heat-map-level term of eq. 2" },
  { kind: "number", name: "lambda2", label: "λ₂", default: TRAIN_DEFAULTS.lambda2, min: 0, max: 1000, step: 0.001, meaning: "weight of the subset-level hinge of eq. 2" },
  { kind: "number", name: "delta", label: "δ", default: TRAIN_DEFAULTS.delta, min: 0, max: 1000, step: 1e-7, meaning: "margin of the subset-level hinge" },
  { kind: "choice", name: "upsample", label: "up-sampling", default: "bilinear", choices: [...UPSAMPLE_MODES], meaning: "how the grid attribution is brought to the image" },
] as ParamSpec[])
  .map((p): ParamSpec => ({ ...p, flag: `seann-${p.name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}` }))
  // The shared seed (one --seed seeds every method): the DSF's initial weights and the sampling sources.
  .concat([SEED]);

/** Resolved SEA-NN options. */
export interface SeannOptions {
  readonly sources: readonly SeannSource[];
  readonly riseMasks: number;
  readonly scale: number;
  readonly sigma: number;
  readonly minSize: number;
  readonly grid: number;
  readonly dsf: "paper" | "small";
  readonly activation: DsfActivation;
  readonly epochs: number;
  readonly learningRate: number;
  readonly lambda: number;
  readonly lambda1: number;
  readonly lambda2: number;
  readonly delta: number;
  readonly upsample: UpsampleMode;
  readonly seed: number;
}

/** Checks and completes options (one RangeError naming every problem); `sources` may be any subset. */
export function resolveSeannOptions(given: Readonly<Record<string, unknown>> = {}): SeannOptions {
  const { sources, ...rest } = given;
  let parsed: SeannSource[] = [...DEFAULT_SOURCES];
  const problems: string[] = [];
  if (sources !== undefined) {
    try {
      parsed = parseSources(sources);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  let r: Record<string, number | string | boolean> = {};
  try {
    r = resolveParams(SEANN_PARAMS.filter((p) => p.name !== "sources"), rest);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length) throw new RangeError(problems.join("; "));
  return { ...(r as unknown as Omit<SeannOptions, "sources">), sources: parsed };
}

/** The learning problem of one image, before training: what the DSF is fit to. */
export interface SeannSupervision extends Supervision {
  readonly segments: Division;
  /** The names of the sources, in the order of `maps`. */
  readonly sources: readonly SeannSource[];
}

/** Steps 2–4 of the pre-processing on given source maps (no model needed). */
export function seannSupervision(image: RgbImage, maps: readonly SaliencyMap[], sources: readonly SeannSource[], o: Pick<SeannOptions, "scale" | "sigma" | "minSize" | "grid">): SeannSupervision {
  // A flat image is one segment, and segment means would erase every map: then the grid cells
  // themselves are the segments (our choice; the paper does not meet the case).
  const fh = felzenszwalbDivision(image, { scale: o.scale, sigma: o.sigma, minSize: o.minSize });
  const segments = fh.count > 1 ? fh : gridDivision(image.width, image.height, { n: o.grid });
  const pre = maps.map((m) => preprocessMap(m, segments, o.grid, PAPER_PERCENTILES));
  return { segments, sources, maps: pre.map((p) => p.heat), subsets: pre.flatMap((p) => p.subsets) };
}

/** What {@link learnAndAttribute} returns. */
export interface SeannGridResult {
  readonly dsf: Dsf;
  /** Algorithm 1's attribution per grid cell (sums to 1). */
  readonly cells: Float64Array;
  readonly order: number[];
  readonly losses: number[];
  readonly trainMs: number;
  readonly attributeMs: number;
  readonly evaluations: number;
  /** f(H_i) / f(H*) of every source map after training: the DSF's ranking of the sources (paper §4). */
  readonly sourceScores: number[];
}

/** Steps 3–4: trains a DSF on the supervision and runs Algorithm 1 on the grid cells. */
export function learnAndAttribute(supervision: Supervision, o: Pick<SeannOptions, "grid" | "dsf" | "activation" | "epochs" | "learningRate" | "lambda" | "lambda1" | "lambda2" | "delta" | "seed">, signal?: AbortSignal): SeannGridResult {
  const dsf = createDsf({ inputs: o.grid * o.grid, hidden: DSF_SHAPES[o.dsf], activation: o.activation }, createRandom(o.seed));
  const report = trainDsf(dsf, supervision, { epochs: o.epochs, learningRate: o.learningRate, lambda: o.lambda, lambda1: o.lambda1, lambda2: o.lambda2, delta: o.delta, signal });
  throwIfAborted(signal);
  const t0 = performance.now();
  const alg = attributeByMarginalGains(dsf);
  const attributeMs = performance.now() - t0;
  const star = dsfValue(dsf, new Float64Array(dsf.inputs).fill(1));
  return { dsf, cells: alg.attribution, order: alg.order, losses: report.losses, trainMs: report.ms, attributeMs, evaluations: alg.evaluations + report.greedyEvaluations, sourceScores: supervision.maps.map((h) => dsfValue(dsf, h) / star) };
}

