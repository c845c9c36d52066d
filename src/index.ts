/**
 * lima-xai: black-box submodular attribution (LIMA, SMDL) for image models.
 *
 * ```ts
 * import { loadModel, loadImage, Explainer } from "lima-xai";
 * const model = await loadModel("squeezenet1.1-fp32");
 * const image = await loadImage("photo.jpg", model.card);
 * const result = await new Explainer(model, { preset: "paper" }).explain(image);
 * // any registered method: getMethod("rise").create(model, { masks: 2000 }).attribute(image, { target: 1 })
 * ```
 */
export type { Division, RgbImage, SaliencyMap, RunControl } from "./types";
export { decodeImage, loadImage, toModelInput, ImageError, DEFAULT_MAX_PIXELS, type DecodedImage, type LoadImageOptions } from "./image/load";
export { resolveBaseline, compositeRegions, type BaselineOption } from "./image/baseline";
export { encodePng } from "./image/png";
export { overlay, colourOf } from "./image/colormap";
export { outlineRegions, type OutlineOptions } from "./image/outline";
export { loadModel, defaultCacheDir, type LoadModelOptions } from "./model/load";
export { createOnnxModel, availableDevices, ModelError, DEVICES, type Device, type LoadedModel, type OnnxModelOptions, INFERENCE_MODES, type InferenceMode } from "./model/onnx";
export { parseModelCard, readModelCard, parseLabels, ModelCardError, type ModelCard, type Preprocessing, type ClassLabel } from "./model/card";
export { MODEL_REGISTRY } from "./model/registry";
export type { BlackBoxModel, ModelOutput } from "./model/types";
export * from "./division";
export * from "./metrics";
export * from "./baselines";
export { createRandom, type Random } from "./util/random";
export { LIMA_LAMBDAS, SMDL_LAMBDAS, resolveLambdas, type Lambdas, type ConfidenceKind } from "./score/options";
export { scoreSubset, type ScoreTerms, type SubmodularScore } from "./score/submodular";
export { effectiveness, angularDistance, distanceMatrix, entropyConfidence, edlConfidence, targetScore, type ScoreTarget } from "./score/terms";
export { greedySearch } from "./search/greedy";
export { fastSearch, FAST_DEFAULTS, type FastSearchOptions } from "./search/fast";
export { bidirectionalSearch, type BidirectionalOptions } from "./search/bidirectional";
export { ModelOutputCache, DEFAULT_CACHE_BYTES } from "./search/cache";
export { SubsetEvaluator } from "./search/evaluator";
export type { SearchContext, SearchResult, SearchStep, SearchProgress } from "./search/types";
export { Explainer, expectedIterations, type ExplainControl, type ExplainProgress, type PartialCurve } from "./explain/explainer";
export { Explanation, type ExplanationData, type ClassScore } from "./explain/result";
export { SEARCHES, type SearchKind, type ExplainerOptions, type ResolvedOptions } from "./explain/options";
export { resolveTarget, type TargetOption } from "./explain/target";
export { importanceValues, trapezoid, type Curve, type HighestConfidence } from "./metrics/curves";
export { curvesFigure, type Figure } from "./plot/figures";
export { figuresPage } from "./plot/html";
export { figureSvg, svgImgHtml, FigureSvgError, TRACE_TYPES, MARKER_SYMBOLS, type FigureSvgOptions } from "./plot/svg";
export { JUPYTER_DISPLAY, jupyterHost, setJupyterHost, type JupyterHost, type MimeBundle, type Comm, type CommManager } from "./jupyter/host";
export { toMimeBundle, display, figureBundle } from "./jupyter/mime";
export { table, type Table, type TableCell, type TableOptions } from "./jupyter/table";
export * from "./eval";
export { METHODS, METHOD_NAMES, getMethod, methodsForFrontEnd, submodularMethod, type SubmodularAttributor, type AttributionGroup, type AttributionMethod, type AttributionRequest, type AttributionResult, type Attributor } from "./methods";
export { PRESETS, PRESET_NAMES, DEFAULT_PRESET, DEFAULT_LAMBDAS as DEFAULT_PRESET_LAMBDAS, LAMBDAS as LAMBDA_PARAMS, REGIONS, NP, SEARCH, CONFIDENCE, BASELINE, SEED, BATCH, DEVICE, DIVISION, LIMA_PARAMS, SMDL_PARAMS, DIVISION_PARAMS, PRESET, presetLambdas, schemaForFrontEnd, type FrontEndSchema, type LambdaValues, type PresetName } from "./params/lima";
export { checkParam, resolveParams, resolveParamTree, type ParamSpec, type NumberParam, type ChoiceParam, type BooleanParam, type ResolvedParams } from "./params/types";
export * from "./widgets";
export { notebookData, type NotebookData } from "./notebooks/data";
export { monomial, binomial, binomialBlocks, deletionError, insertionError, groupedDeletionError, groupedInsertionError, totalError, minMonomialDeletionError, minBinomialInsertionError, fitExponential, type SetFunction, type BitGroup } from "./methods/sop/theory";
export { prefixGroups, thresholdGroups } from "./methods/sop/groups";
export { groupedCurve, regionGroups, groupsOf, rankGroups, sampledAttributionError, type GroupedCurveOptions, type SampledErrorOptions } from "./metrics/grouped";
