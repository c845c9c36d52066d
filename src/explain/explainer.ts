import { divide, divisionKey, isMemoisable, regionAreas, regionPixels, validateDivision, type DivisionOptions } from "../division";
import { baselineKey, hashFloats, resolveBaseline } from "../image/baseline";
import { jupyterHost } from "../jupyter/host";
import type { BlackBoxModel, ModelOutput } from "../model/types";
import { checkParam } from "../params/types";
import { CONFIDENCE, NP, PRESETS, SEARCH, type PresetName } from "../params/lima";
import { DEFAULT_LAMBDAS, resolveLambdas } from "../score/options";
import { scoreSubset, type SubmodularScore } from "../score/submodular";
import { distanceMatrix, type ScoreTarget, targetScore } from "../score/terms";
import { bidirectionalSearch } from "../search/bidirectional";
import { ModelOutputCache } from "../search/cache";
import { SubsetEvaluator } from "../search/evaluator";
import { fastSearch } from "../search/fast";
import { greedySearch } from "../search/greedy";
import { complement, withRegion } from "../search/subset";
import type { SearchContext, SearchProgress, SearchResult } from "../search/types";
import type { Division, RgbImage, SaliencyMap } from "../types";
import { topK } from "../util/math";
import { cumulativeAreas, highestConfidence, importanceValues, trapezoid } from "../metrics/curves";
import { DEFAULT_DIVISION, type ExplainerOptions, type ResolvedOptions, SEARCHES } from "./options";
import { Explanation } from "./result";
import { resolveTarget, type TargetOption } from "./target";

/** Progress of one explain() call, reported after the features and after every search iteration. */
export interface ExplainProgress {
  readonly phase: "features" | "search";
  /** Search iterations done (0 during "features"). */
  readonly step: number;
  /** Search iterations expected in all. */
  readonly totalSteps: number;
  readonly forwardPasses: number;
  readonly cacheHits: number;
  /** The forward prefix found so far and its insertion curve (grows step by step). */
  readonly partial?: PartialCurve & {
    /** The end of the order found so far (S_rev, reversed: least important last) and the insertion
     * curve's right end over it, from the full image down (the fast search finds only this part). */
    readonly tail: PartialCurve;
  };
}

/** Part of the final order and the insertion curve at the points it fixes (area fractions x). */
export interface PartialCurve {
  readonly order: readonly number[];
  readonly insertion: { readonly x: number[]; readonly y: number[] };
}

/** Per-call arguments of {@link Explainer.explain}. */
export interface ExplainControl {
  /** Class to explain: index, label, "predicted" (default) or an embedding target. */
  readonly target?: TargetOption;
  /**
   * Regions to use instead of dividing the image with the explainer's division options (eval and
   * the method registry pass one shared division to every region method). Checked, and sized as the image.
   */
  readonly division?: Division;
  /** Cancels the run (default: the running notebook cell's signal, inside our kernel). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ExplainProgress) => void;
  /** Options for this call only, over the explainer's own (which stay as they are); prefetch uses it. */
  readonly options?: ExplainerOptions;
}

/** Iterations a search makes over |V| regions (bidirectional: two regions per iteration while more than n_p candidates remain before the forward pick). */
export function expectedIterations(m: number, search: ResolvedOptions["search"], np: number): number {
  if (search === "greedy" || search === "fast") return m;
  let remaining = m, iterations = 0;
  while (remaining > 0) {
    remaining -= remaining > np ? 2 : 1;
    iterations++;
  }
  return iterations;
}

function cellSignal(): AbortSignal | undefined {
  return (jupyterHost() as { cellSignal?: AbortSignal } | undefined)?.cellSignal;
}

function resolveOptions(options: ExplainerOptions, previous?: ResolvedOptions): ResolvedOptions {
  const search = options.search ?? previous?.search ?? (SEARCH.default as ResolvedOptions["search"]);
  if (!SEARCHES.includes(search)) throw new RangeError(`search "${search}" is not allowed: use one of ${SEARCHES.join(", ")}`);
  const np = checkParam(NP, options.np ?? previous?.np ?? NP.default) as number;
  const confidence = checkParam(CONFIDENCE, options.confidence ?? previous?.confidence ?? CONFIDENCE.default) as ResolvedOptions["confidence"];
  let base = previous?.lambdas ?? DEFAULT_LAMBDAS;
  if (options.preset !== undefined) {
    if (!Object.hasOwn(PRESETS, options.preset)) throw new RangeError(`preset ${JSON.stringify(options.preset)} is not allowed: use one of ${Object.keys(PRESETS).join(", ")}`);
    base = PRESETS[options.preset as PresetName];
  }
  return {
    search,
    np,
    ...(options.fast ?? previous?.fast ? { fast: options.fast ?? previous?.fast } : {}),
    lambdas: resolveLambdas({ ...base, ...options.lambdas }),
    confidence,
    division: options.division ?? previous?.division ?? DEFAULT_DIVISION,
    baseline: options.baseline ?? previous?.baseline ?? 0,
  };
}

/**
 * LIMA / SMDL attribution of one black-box model (LIMA Algorithm 1, SMDL Algorithm 1).
 * The constructor takes the model and the options; {@link explain} takes an image. Every model
 * output is memoised per (image, division, baseline), so a re-run with other λ, n_p or search
 * on the same image reuses it, and divisions are memoised per image and division options.
 */
export class Explainer {
  private resolved: ResolvedOptions;
  private readonly cache: ModelOutputCache;
  private readonly divisions = new Map<string, Division>();

  constructor(readonly model: BlackBoxModel, options: ExplainerOptions = {}) {
    this.resolved = resolveOptions(options);
    this.cache = new ModelOutputCache(options.cacheBytes);
  }

  /** The options in force, defaults filled. */
  get options(): ResolvedOptions {
    return this.resolved;
  }

  /** Changes some options; the cache is kept. */
  setOptions(options: ExplainerOptions): void {
    this.resolved = resolveOptions(options, this.resolved);
  }

  /** Cached outputs: count, bytes, evictions. */
  get cacheStats(): { entries: number; bytes: number; evictions: number; maxBytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes, evictions: this.cache.evictions, maxBytes: this.cache.maxBytes };
  }

  /** The division of an image under the current (or given) options, memoised. */
  divide(image: RgbImage, options: DivisionOptions = this.resolved.division): Division {
    const key = `${hashFloats(image.data)}|${JSON.stringify(options, (k, v) => (k === "map" || k === "masks" ? undefined : v))}`;
    const memoisable = isMemoisable(options.method);
    const memo = memoisable ? this.divisions.get(key) : undefined;
    if (memo) return memo;
    const division = divide(image, options);
    if (memoisable) {
      this.divisions.set(key, division);
      if (this.divisions.size > 32) this.divisions.delete(this.divisions.keys().next().value!);
    }
    return division;
  }

  /** Forgets every cached model output and division. */
  clearCache(): void {
    this.cache.clear();
    this.divisions.clear();
  }

  /** Explains `image` (raw RGB at the model's input size). */
  async explain(image: RgbImage, control: ExplainControl = {}): Promise<Explanation> {
    const t0 = performance.now();
    const inference0 = this.model.inferenceMs;
    const options = control.options ? resolveOptions(control.options, this.resolved) : this.resolved;
    const signal = control.signal ?? cellSignal();
    this.checkImage(image);
    const division = control.division ?? this.divide(image, options.division);
    if (control.division) {
      validateDivision(division);
      if (division.width !== image.width || division.height !== image.height) throw new RangeError(`division is ${division.width}×${division.height}; the image is ${image.width}×${image.height}`);
    }
    const m = division.count;
    if (options.search === "bidirectional" && options.np > m) {
      throw new RangeError(`n_p ${options.np} is larger than |V| = ${m}: use 1..${m}`);
    }
    const baseline = await resolveBaseline(image, options.baseline);
    const pixels = regionPixels(division);
    const contextKey = [this.model.name, hashFloats(image.data), divisionKey(division), baselineKey(options.baseline)].join("|");
    const evaluator = new SubsetEvaluator(this.model, image, baseline, pixels, this.cache, contextKey);
    const all = Array.from({ length: m }, (_, i) => i);
    const [full] = await evaluator.outputs([all, []], signal);
    const predicted = topK(full.probs, 1)[0];
    const target = resolveTarget(control.target, this.model.labels, predicted);
    // s_eff needs every region's features (one singleton image each); with λ_eff = 0 the term
    // does not count, so those passes are skipped and s_eff reads 0 in the steps.
    const distances = options.lambdas.eff > 0 ? distanceMatrix((await evaluator.outputs(all.map((r) => [r]), signal)).map((o) => o.features)) : new Float64Array(m * m);
    const score: SubmodularScore = { target, lambdas: options.lambdas, confidence: options.confidence, distances, m };
    const areas = regionAreas(division);
    const totalSteps = expectedIterations(m, options.search, options.np);
    control.onProgress?.({ phase: "features", step: 0, totalSteps, ...evaluator.stats });
    const context = this.searchContext(evaluator, score, division, signal, (p) =>
      control.onProgress?.({ phase: "search", step: p.iteration + 1, totalSteps, ...evaluator.stats, partial: this.partial(p, areas, evaluator, target) }),
    );
    const result = options.search === "greedy" ? await greedySearch(context)
      : options.search === "fast" ? await fastSearch(context, options.fast)
      : await bidirectionalSearch(context, { np: options.np });
    const hits = evaluator.stats.cacheHits;
    const curves = await this.curves(evaluator, division, result, target, areas, signal);
    return new Explanation({
      model: this.model.name,
      target: { index: target.kind === "vector" ? -1 : target.index, label: target.kind === "vector" ? "target vector" : this.model.labels[target.index] },
      top5: topK(full.probs, 5).map((index) => ({ index, label: this.model.labels[index], score: full.probs[index] })),
      image,
      division,
      order: result.order,
      steps: result.steps,
      ...curves,
      forwardPasses: evaluator.stats.forwardPasses,
      cacheHits: hits,
      ms: performance.now() - t0,
      inferenceMs: this.model.inferenceMs - inference0,
      options,
    });
  }

  private checkImage(image: RgbImage): void {
    const { width, height } = this.model.inputSize;
    if (image.width !== width || image.height !== height || image.data.length !== width * height * 3) {
      throw new RangeError(`image is ${image.width}×${image.height}; model ${this.model.name} needs ${width}×${height} RGB (load it with loadImage(file, model.card))`);
    }
  }

  private searchContext(
    evaluator: SubsetEvaluator,
    score: SubmodularScore,
    division: Division,
    signal: AbortSignal | undefined,
    onProgress: (p: SearchProgress) => void,
  ): SearchContext {
    const m = division.count;
    return {
      m,
      signal,
      onProgress,
      evaluate: async (base, candidates) => {
        const subsets = candidates.map((a) => withRegion(base, a));
        const outputs = await evaluator.outputs([...subsets, ...subsets.map((s) => complement(s, m))], signal);
        return subsets.map((s, i) => scoreSubset(score, s, outputs[i], outputs[subsets.length + i]));
      },
      estimateReverse: async (base, candidates) => {
        const subsets = candidates.map((a) => withRegion(base, a));
        const outputs = await evaluator.outputs([base, ...subsets.map((s) => complement(s, m))], signal);
        return subsets.map((s, i) => scoreSubset(score, s, outputs[0], outputs[1 + i]));
      },
    };
  }

  /** The forward prefix and its insertion curve, from cached outputs only (no model call). */
  private partial(p: SearchProgress, areas: Float64Array, evaluator: SubsetEvaluator, target: ScoreTarget): ExplainProgress["partial"] {
    const x = [0];
    for (const r of p.forward) x.push(x[x.length - 1] + areas[r]);
    const y = evaluator.peek(prefixes(p.forward)).map((o) => (o ? targetScore(o, target) : NaN));
    // The tail's points: the image without the first k removed regions, k = |S_rev| … 0.
    const m = areas.length;
    const tx = [1];
    for (const r of p.reverse) tx.unshift(tx[0] - areas[r]);
    const ty = evaluator.peek(prefixes(p.reverse).map((s) => complement(s, m)).reverse()).map((o) => (o ? targetScore(o, target) : NaN));
    return { order: p.forward, insertion: { x, y }, tail: { order: [...p.reverse].reverse(), insertion: { x: tx, y: ty } } };
  }

  /** Region insertion/deletion curves, highest confidence, and the eq. 11 and rank maps. */
  private async curves(evaluator: SubsetEvaluator, division: Division, result: SearchResult, target: ScoreTarget, areas: Float64Array, signal?: AbortSignal) {
    const m = result.order.length;
    const subsets = prefixes(result.order);
    const outputs = await evaluator.outputs([...subsets, ...subsets.map((s) => complement(s, m))], signal, { countHits: false });
    const ins = outputs.slice(0, m + 1).map((o: ModelOutput) => targetScore(o, target));
    const del = outputs.slice(m + 1).map((o: ModelOutput) => targetScore(o, target));
    const x = cumulativeAreas(result.order, areas);
    const values = importanceValues(ins.map((v, i) => v + 1 - del[i]));
    const insertion = { x, y: ins, auc: trapezoid(x, ins) };
    return {
      insertion,
      deletion: { x, y: del, auc: trapezoid(x, del) },
      highestConfidence: highestConfidence(insertion),
      importanceMap: paint(division, result.order, values),
      rankMap: paint(division, result.order, result.order.map((_, i) => m - (i + 1))),
    };
  }
}

/** The prefixes S[0..k] of an order, each sorted. */
function prefixes(order: readonly number[]): number[][] {
  const out: number[][] = [[]];
  for (let i = 0; i < order.length; i++) out.push([...order.slice(0, i + 1)].sort((a, b) => a - b));
  return out;
}

/** A map whose pixels in region order[i] hold values[i]. */
function paint(division: Division, order: readonly number[], values: readonly number[]): SaliencyMap {
  const byRegion = new Float32Array(division.count);
  order.forEach((r, i) => (byRegion[r] = values[i]));
  const data = new Float32Array(division.labels.length);
  for (let p = 0; p < data.length; p++) data[p] = byRegion[division.labels[p]];
  return { width: division.width, height: division.height, data };
}
