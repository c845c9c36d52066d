/**
 * SEA-NN (Manupriya et al., "Improving Attribution Methods by Learning Submodular Functions"):
 * ensemble several attribution maps by learning a deep submodular function per image (eq. 2,
 * projected subgradient with Adam) and attribute each feature by its marginal gain in the context
 * of the features picked before it (Algorithm 1). Registered as method "seann".
 *
 * Pipeline of one `attribute` call (docs/SEA-NN.md):
 *  1. source maps from other black-box methods (`sources`), at model resolution;
 *  2. Felzenszwalb–Huttenlocher segments (`scale`, `sigma`, `minSize`), segment-mean maps,
 *     sub-sampled to a `grid`×`grid` input (H_i) and hard-thresholded at the paper's percentiles (H_i^j);
 *  3. a DSF (`grid`² → 512 → 128 → 32 → 1 by default, √ activations, weights ≥ 0) trained on them;
 *  4. Algorithm 1 on the grid cells, up-sampled to the image.
 */
import { gridDivision } from "../../division/grid";
import type { BlackBoxModel } from "../../model/types";
import type { RgbImage, SaliencyMap } from "../../types";
import { throwIfAborted } from "../../util/abort";
import type { AttributionMethod, AttributionRequest, AttributionResult, Attributor } from "../types";
import { dsfParameterCount } from "./dsf";
import { learnAndAttribute, resolveSeannOptions, SEANN_PARAMS, type SeannOptions, seannSupervision } from "./pipeline";
import { upsampleGrid } from "./preprocess";
import { sourceMap } from "./sources";
import { segmentOrder } from "../../metrics/mdrs";

export { attributeByMarginalGains, greedyMaximize } from "./greedy";
export { createDsf, dsfSetValue, dsfValue, minParameter, PAPER_HIDDEN, type Dsf, type DsfActivation } from "./dsf";
export { trainDsf, TRAIN_DEFAULTS, type Supervision, type TrainOptions, type TrainReport } from "./train";
export { PAPER_PERCENTILES, preprocessMap, upsampleGrid } from "./preprocess";
export { DEFAULT_SOURCES, SEANN_SOURCES, type SeannSource } from "./sources";
export { DSF_SHAPES, learnAndAttribute, resolveSeannOptions, SEANN_PARAMS, seannSupervision, type SeannGridResult, type SeannOptions, type SeannSupervision } from "./pipeline";
export { globalSeann, globalSeannFromFolder, type GlobalSeannResult } from "./global";

/** SEA-NN bound to a model. */
class SeannAttributor implements Attributor {
  constructor(private readonly model: BlackBoxModel, readonly options: SeannOptions) {}

  async attribute(image: RgbImage, request: AttributionRequest): Promise<AttributionResult> {
    const o = this.options;
    const t0 = performance.now();
    const passes0 = this.model.forwardPasses;
    const maps: SaliencyMap[] = [];
    const sourceMs: number[] = [];
    for (const [k, source] of o.sources.entries()) {
      throwIfAborted(request.signal);
      const s0 = performance.now();
      maps.push(
        await sourceMap(source, this.model, image, {
          target: request.target,
          division: request.division,
          riseMasks: o.riseMasks,
          seed: o.seed,
          signal: request.signal,
          onProgress: (f) => request.onProgress?.((0.9 * (k + f)) / o.sources.length),
        }),
      );
      sourceMs.push(performance.now() - s0);
    }
    const supervision = seannSupervision(image, maps, o.sources, o);
    const learned = learnAndAttribute(supervision, o, request.signal);
    request.onProgress?.(1);
    const map = upsampleGrid(learned.cells, o.grid, image.width, image.height, o.upsample);
    // The order refers to the shared division when there is one (regions by mean map value,
    // as MDRS ranks them); otherwise to the grid cells, in Algorithm 1's order.
    const division = request.division ?? gridDivision(image.width, image.height, { n: o.grid });
    const order = request.division ? segmentOrder(map, request.division) : completeOrder(learned.order, o.grid * o.grid);
    return {
      method: "seann",
      map,
      order,
      division,
      forwardPasses: this.model.forwardPasses - passes0,
      ms: performance.now() - t0,
      details: {
        sources: o.sources,
        cellOrder: learned.order,
        sourceMs,
        sourceScores: learned.sourceScores,
        segments: supervision.segments.count,
        subsets: supervision.subsets.map((s) => s.length),
        dsfParameters: dsfParameterCount(learned.dsf),
        trainMs: learned.trainMs,
        attributeMs: learned.attributeMs,
        dsfEvaluations: learned.evaluations,
        losses: learned.losses,
      },
    };
  }
}

/** Algorithm 1's order followed by the features it never reached (zero gain), lowest index first. */
function completeOrder(order: readonly number[], n: number): number[] {
  const seen = new Set(order);
  return [...order, ...Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i))];
}

/** The registered method. */
export const seannMethod: AttributionMethod = {
  name: "seann",
  title: "SEA-NN (submodular ensemble of attribution maps)",
  paper: "Manupriya et al., Improving Attribution Methods by Learning Submodular Functions, eq. 2 and Algorithm 1",
  params: SEANN_PARAMS,
  usesDivision: true,
  create(model: BlackBoxModel, options: Readonly<Record<string, unknown>> = {}): Attributor {
    return new SeannAttributor(model, resolveSeannOptions(options));
  },
};
