import { divide, type DivisionOptions, divisionOptionsFrom } from "../division";
import { CONFIDENCE_RANGES, highestConfidence } from "../metrics/curves";
import { colourOf, normalise } from "../image/colormap";
import { loadImage } from "../image/load";
import { encodePng } from "../image/png";
import { METHODS } from "../methods/registry";
import type { AttributionMethod, Attributor } from "../methods/types";
import type { BlackBoxModel, ModelOutput } from "../model/types";
import { type ParamSpec, resolveParams } from "../params/types";
import type { Division, RgbImage, SaliencyMap } from "../types";
import { topK } from "../util/math";
import { CachedModel } from "./cached-model";
import { groupPayload } from "./groups";
import { regionCurves, regionOrderFromMap } from "./curves";
import { listPhotos, type NamedPhoto, thumbnailPng, trueLabel } from "./photos";
import { applyPreset, divisionParamsFor, EXPLORER_DIVISION_PARAMS, methodOptions } from "./schema";
import {
  EXPLORER_MODEL,
  EXPLORER_VIEW,
  type ExplorerSettings,
  type ExplorerStateData,
  type MethodInfo,
  type MethodResult,
  type ParamValues,
  type PhotoInfo,
  SNAPSHOT_CLASS,
  WIDGET_MODULE,
  WIDGET_MODULE_RANGE,
  WRITABLE_KEYS,
} from "./protocol";
import { LatestWins, type RunOutcome } from "./scheduler";
import { type ControlMove, movedControl, prefetchNeighbours, type PrefetchReport } from "../search/prefetch";
import type { SubmodularAttributor } from "../methods/lima";
import { type Binary, Widget } from "./widget";
import { snapshotHtml } from "./snapshot";
import { jupyterHost } from "../jupyter/host";

/** Settings as a caller gives them: any part, the rest from the schema's defaults. */
export interface ExplorerSettingsInput {
  readonly method?: string;
  readonly compare?: string;
  /** Options per method name; each method's missing options take their defaults. */
  readonly params?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly division?: Readonly<Record<string, unknown>>;
  readonly target?: number;
}

/** Options of {@link explore}; every field has a default. */
export interface ExploreOptions {
  /** Caption of a single image given without a name (plain text). Default "image". */
  readonly title?: string;
  /** Initial settings. Default: the first registered method with its schema defaults, no comparison, the schema's division, the predicted class. */
  readonly settings?: ExplorerSettingsInput;
  /** Index of the photo shown first (default 0). */
  readonly photo?: number;
  /** Memory bound of the cached model outputs (default 256 MiB, LRU eviction). */
  readonly cacheBytes?: number;
  /** Show the widget in the running cell (default true). */
  readonly display?: boolean;
  /** Methods offered (default the registry, src/methods/registry.ts). */
  readonly methods?: readonly AttributionMethod[];
  /** Schema of the shared division: `division` (a strategy name) and its strategies' parameters (default {@link EXPLORER_DIVISION_PARAMS}, or the given regions' when the photos carry them: {@link divisionParamsFor}). */
  readonly divisionParams?: readonly ParamSpec[];
  /**
   * Neighbouring settings LIMA/SMDL evaluate while the explorer is idle (default 2: the last moved
   * control's next step, then its step back; src/search/prefetch.ts), so that a one-step slider move
   * finds its model outputs cached. 0 turns prefetching off. A new request aborts it at once.
   */
  readonly prefetch?: number;
  /**
   * Show a static snapshot of the current view (maps, curves, metrics, settings; src/widgets/snapshot.ts)
   * as a separate output right after the widget, replaced when a run ends, so a saved notebook
   * shows the explorer without a kernel or the extension (default true). JupyterLab with
   * lima-xai-widgets hides it.
   */
  readonly snapshot?: boolean;
  /** Least time between two snapshot updates in ms (default 1000); the last update is never dropped, only delayed. */
  readonly snapshotIntervalMs?: number;
}

type State = ExplorerStateData & { image_png: Binary; map_png: Binary; compare_map_png: Binary; labels: Binary; thumbs_png: Binary; group_masks_png: Binary };

/** One finished or cancelled run, as the explorer saw it (for tests and latency numbers). */
export interface ExplorerRunRecord {
  readonly run: number;
  readonly settings: ExplorerSettings;
  readonly photo: number;
  readonly outcome: RunOutcome["kind"];
  /** Real model runs and cache hits of the whole run (all methods and curves): hits of the explorer's
   * image cache plus those of the methods' own output caches (LIMA's subset cache). */
  readonly forwardPasses: number;
  readonly cacheHits: number;
  /** ms from the run's start to its first progress update and to its end. */
  readonly firstUpdateMs: number;
  readonly ms: number;
}

/** Every setting at its schema default: the first method, no comparison, the predicted class. */
export function defaultSettings(methods: readonly AttributionMethod[] = METHODS, divisionParams: readonly ParamSpec[] = EXPLORER_DIVISION_PARAMS): ExplorerSettings {
  if (methods.length === 0) throw new RangeError("the explorer needs at least one method");
  return {
    method: methods[0].name,
    compare: "",
    params: Object.fromEntries(methods.map((m) => [m.name, resolveParams(m.params)])),
    division: resolveParams(divisionParams),
    target: -1,
  };
}

/**
 * Settings from any partial input: each part checked against its schema (method names against
 * the registry, options against each method's params, the division against its params, the target
 * against the model's classes), defaults filled from `base`. Every problem is reported at once in
 * one RangeError.
 */
export function resolveSettings(input: unknown, classes: number, methods: readonly AttributionMethod[] = METHODS, divisionParams: readonly ParamSpec[] = EXPLORER_DIVISION_PARAMS, base: ExplorerSettings = defaultSettings(methods, divisionParams)): ExplorerSettings {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new TypeError(`settings must be an object, not ${JSON.stringify(input)}`);
  const v = input as Record<string, unknown>;
  const problems: string[] = [];
  const names = methods.map((m) => m.name);
  const allowed = ["method", "compare", "params", "division", "target"];
  const unknown = Object.keys(v).filter((k) => !allowed.includes(k));
  if (unknown.length) problems.push(`unknown setting(s) ${unknown.join(", ")} (allowed: ${allowed.join(", ")})`);
  const method = v.method ?? base.method;
  if (typeof method !== "string" || !names.includes(method)) problems.push(`method ${JSON.stringify(method)} is not allowed: use one of ${names.join(", ")}`);
  const compare = v.compare ?? base.compare;
  if (typeof compare !== "string" || (compare !== "" && !names.includes(compare))) problems.push(`compare ${JSON.stringify(compare)} is not allowed: use "" (none) or one of ${names.join(", ")}`);
  else if (compare !== "" && compare === method) problems.push(`compare ${JSON.stringify(compare)} is the method itself: pick another method or "" (none)`);
  const params: Record<string, ParamValues> = {};
  const givenParams = v.params ?? {};
  if (typeof givenParams !== "object" || givenParams === null || Array.isArray(givenParams)) problems.push(`params must be an object by method name, not ${JSON.stringify(givenParams)}`);
  else {
    for (const k of Object.keys(givenParams)) if (!names.includes(k)) problems.push(`params.${k}: no such method (allowed: ${names.join(", ")})`);
    for (const m of methods) {
      const given = (givenParams as Record<string, unknown>)[m.name];
      if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
        problems.push(`params.${m.name} must be an object, not ${JSON.stringify(given)}`);
        continue;
      }
      try {
        const merged = applyPreset(m.params, base.params[m.name], { ...base.params[m.name], ...(given as Record<string, unknown> | undefined) });
        params[m.name] = resolveParams(m.params, merged);
      } catch (e) {
        problems.push(`params.${m.name}: ${(e as Error).message}`);
      }
    }
  }
  let division: ParamValues = base.division;
  const givenDivision = v.division ?? {};
  if (typeof givenDivision !== "object" || givenDivision === null || Array.isArray(givenDivision)) problems.push(`division must be an object, not ${JSON.stringify(givenDivision)}`);
  else {
    try {
      division = resolveParams(divisionParams, { ...base.division, ...(givenDivision as Record<string, unknown>) });
    } catch (e) {
      problems.push(`division: ${(e as Error).message}`);
    }
  }
  const target = v.target ?? base.target;
  if (!Number.isInteger(target) || (target as number) < -1 || (target as number) >= classes) problems.push(`target ${JSON.stringify(target)} is not allowed: use -1 for the prediction, or a class index 0..${classes - 1}`);
  if (problems.length) throw new RangeError(`invalid settings: ${problems.join("; ")}`);
  return { method: method as string, compare: compare as string, params, division, target: target as number };
}

/** The colour-mapped map as RGB PNG bytes (min–max normalised: the colour bar carries the scale). */
function mapPng(map: SaliencyMap): Uint8Array {
  const values = normalise(map);
  const rgb = new Uint8ClampedArray(values.length * 3);
  values.forEach((v, p) => rgb.set(colourOf(v), p * 3));
  return new Uint8Array(encodePng(rgb, map.width, map.height));
}

function mapRange(map: SaliencyMap): [number, number] {
  let min = Infinity, max = -Infinity;
  for (const v of map.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** The division's region index per pixel as little-endian Uint16 bytes. */
function labelBytes(labels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(labels.length * 2);
  const view = new DataView(out.buffer);
  for (let p = 0; p < labels.length; p++) view.setUint16(p * 2, labels[p], true);
  return out;
}

function rgbPng(image: RgbImage): Uint8Array {
  return new Uint8Array(encodePng(Uint8ClampedArray.from(image.data), image.width, image.height));
}

function methodInfo(m: AttributionMethod): MethodInfo {
  return { name: m.name, title: m.title, paper: m.paper, uses_division: m.usesDivision, params: [...m.params] };
}

/** A single image or a list, each with or without a name, as {@link NamedPhoto}s. */
function namedPhotos(source: RgbImage | NamedPhoto | readonly (RgbImage | NamedPhoto)[], title: string): NamedPhoto[] {
  const list = Array.isArray(source) ? (source as readonly (RgbImage | NamedPhoto)[]) : [source as RgbImage | NamedPhoto];
  if (list.length === 0) throw new RangeError("explore needs at least one photo");
  return list.map((p, i) => ("image" in p ? p : { image: p, title: list.length === 1 ? title : `${title} ${i + 1}` }));
}

/**
 * The live explorer (widget model "ExplorerModel" of lima-xai-widgets). The front-end's controls
 * are built from the schema the kernel sends (every registered method's params, the division's
 * params) and change one JSON value, {@link ExplorerSettings}; every change re-runs the chosen
 * method — and the compared one — on the current photo and the shared division, through one
 * output cache ({@link CachedModel}) so that a re-run mostly reads cached outputs. Both methods'
 * region insertion/deletion curves are measured by the same function ({@link regionCurves}).
 * Runs are latest-wins: a newer change cancels the running one. Keys other than
 * {@link WRITABLE_KEYS} belong to the kernel: front-end writes to them are refused.
 */
export class ExplorerWidget extends Widget<State> {
  /** The model behind the output cache. */
  readonly cached: CachedModel;
  /** Every run's outcome and counts, oldest first. */
  readonly history: ExplorerRunRecord[] = [];
  readonly methods: readonly AttributionMethod[];
  readonly divisionParams: readonly ParamSpec[];
  private readonly scheduler: LatestWins;
  private readonly prefetchLimit: number;
  /** The slider moved last (for prefetch order), and the class of the last run. */
  private lastMove?: ControlMove;
  private lastTarget?: number;
  /** What the last idle-time prefetch did (for tests and benchmarks). */
  lastPrefetch?: PrefetchReport;
  private readonly photoList: readonly NamedPhoto[];
  private readonly divisions = new Map<string, Division>();
  private predictions: Promise<void> | undefined;
  private readonly attributors = new Map<string, { key: string; attributor: Attributor }>();
  /** Raw maps of the last finished run (shown method, compared one), for the snapshot. */
  private lastMaps: SaliencyMap[] = [];
  private readonly snapshotEnabled: boolean;
  private readonly snapshotInterval: number;
  /** The snapshot's display_id once it is shown. */
  private snapshotId: string | undefined;
  private snapshotSentAt = -Infinity;
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  /** Snapshot updates sent so far (for tests). */
  snapshotUpdates = 0;

  constructor(readonly model: BlackBoxModel, photos: RgbImage | NamedPhoto | readonly (RgbImage | NamedPhoto)[], options: ExploreOptions = {}) {
    const methods = options.methods ?? METHODS;
    const divisionParams = options.divisionParams ?? divisionParamsFor(photos);
    const defaults = defaultSettings(methods, divisionParams);
    const settings = resolveSettings(options.settings ?? {}, model.labels.length, methods, divisionParams, defaults);
    const list = namedPhotos(photos, options.title ?? "image");
    const { width, height } = model.inputSize;
    for (const p of list) {
      if (p.image.width !== width || p.image.height !== height) throw new RangeError(`photo ${p.title} is ${p.image.width}×${p.image.height}; model ${model.name} needs ${width}×${height} (load it with loadImage(file, model.card))`);
    }
    const photo = options.photo ?? 0;
    if (!Number.isInteger(photo) || photo < 0 || photo >= list.length) throw new RangeError(`photo ${photo} is not allowed: use 0..${list.length - 1}`);
    const thumbs = list.map((p) => thumbnailPng(p.image));
    let offset = 0;
    const infos: PhotoInfo[] = list.map((p, i) => {
      const thumb: [number, number] = [offset, thumbs[i].length];
      offset += thumbs[i].length;
      return { title: p.title, predicted: "", predicted_score: NaN, truth: trueLabel(p.title, model), thumb };
    });
    const thumbsPng = new Uint8Array(offset);
    thumbs.forEach((t, i) => thumbsPng.set(t, infos[i].thumb[0]));
    super(
      {
        settings,
        photo,
        photos: infos,
        methods: methods.map(methodInfo),
        division_params: [...divisionParams],
        defaults,
        colormap: [0, 0.25, 0.5, 0.75, 1].map((v) => colourOf(v).map(Math.round)),
        title: list[photo].title,
        model_name: model.name,
        width,
        height,
        classes: [...model.labels],
        top5: [],
        target_label: "",
        target_probability: NaN,
        regions: 0,
        results: [],
        progress: null,
        status: "idle",
        error: "",
        run: 0,
        step: 0,
        opacity: 0.5,
        y_fit: false,
        image_png: rgbPng(list[photo].image),
        map_png: new Uint8Array(0),
        compare_map_png: new Uint8Array(0),
        labels: new Uint8Array(0),
        thumbs_png: thumbsPng,
        group_masks_png: new Uint8Array(0),
      },
      {
        _model_name: EXPLORER_MODEL,
        _model_module: WIDGET_MODULE,
        _model_module_version: WIDGET_MODULE_RANGE,
        _view_name: EXPLORER_VIEW,
        _view_module: WIDGET_MODULE,
        _view_module_version: WIDGET_MODULE_RANGE,
      },
    );
    this.methods = methods;
    this.divisionParams = divisionParams;
    this.photoList = list;
    this.cached = new CachedModel(model, options.cacheBytes);
    this.prefetchLimit = options.prefetch ?? 2;
    this.snapshotEnabled = options.snapshot ?? true;
    this.snapshotInterval = options.snapshotIntervalMs ?? 1000;
    if (!(this.snapshotInterval >= 0 && Number.isFinite(this.snapshotInterval))) throw new RangeError(`snapshotIntervalMs ${options.snapshotIntervalMs} is not allowed: use a number of ms ≥ 0`);
    this.scheduler = new LatestWins((signal) => this.runOnce(signal), (outcome) => this.finished(outcome), (signal) => this.prefetch(signal));
  }

  /** Current settings. */
  get settings(): ExplorerSettings {
    return this.state.settings;
  }

  /** Searches started so far (a burst of changes starts at most two). */
  get runsStarted(): number {
    return this.scheduler.started;
  }

  /** Changes settings from the kernel side (as the controls would) and re-runs. Options merge per method. */
  update(settings: ExplorerSettingsInput): void {
    const s = this.state.settings;
    const params = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, { ...v, ...settings.params?.[k] }]));
    const next = resolveSettings({ ...s, ...settings, params, division: { ...s.division, ...settings.division } }, this.model.labels.length, this.methods, this.divisionParams, s);
    this.set({ settings: next });
    this.scheduler.request();
  }

  /** Shows another photo (keeping the settings) and re-runs. */
  showPhoto(index: number): void {
    const problem = this.checkPhoto(index);
    if (problem) throw new RangeError(problem);
    this.switchPhoto(index);
    this.scheduler.request();
  }

  /** Puts every setting back to its schema default and re-runs. */
  reset(): void {
    this.set({ settings: this.state.defaults, error: "" });
    this.scheduler.request();
  }

  /** Starts a run with the current settings (cancelling one that is going). */
  rerun(): void {
    this.scheduler.request();
  }

  /** Stops the running search, as the stop button does. */
  stop(): void {
    this.scheduler.stop();
  }

  /** Resolves when no run is going or pending (and the snapshot shows the last run). */
  async whenIdle(): Promise<void> {
    await this.scheduler.idle();
    this.flushSnapshot();
  }

  /** The static snapshot of the current view (HTML, every text escaped); see src/widgets/snapshot.ts. */
  snapshotHtml(): string {
    const st = this.state;
    return snapshotHtml({
      title: st.title,
      modelName: st.model_name,
      status: st.status,
      run: st.run,
      error: st.error,
      settings: st.settings,
      regions: st.regions,
      results: st.results,
      image: this.photoList[st.photo].image,
      maps: this.lastMaps,
      opacity: st.opacity,
    });
  }

  private snapshotBundle(): Record<string, unknown> {
    return { "text/html": this.snapshotHtml(), "text/plain": `explorer snapshot of ${this.state.title} (run ${this.state.run}, ${this.state.status})` };
  }

  /** After the widget's view: the snapshot, as its own output with a display_id. */
  protected override afterView(): void {
    const host = jupyterHost();
    if (!this.snapshotEnabled || !host || this.snapshotId) return;
    this.snapshotId = `${SNAPSHOT_CLASS}-${this.modelId}`;
    host.display(this.snapshotBundle(), { displayId: this.snapshotId });
    this.snapshotSentAt = performance.now();
  }

  /** Replaces the snapshot now, or once the interval since the last update has passed. */
  private snapshotSoon(): void {
    if (!this.snapshotId || this.snapshotTimer) return;
    const wait = this.snapshotSentAt + this.snapshotInterval - performance.now();
    if (wait <= 0) this.sendSnapshot();
    else {
      this.snapshotTimer = setTimeout(() => {
        this.snapshotTimer = undefined;
        this.sendSnapshot();
      }, wait);
      this.snapshotTimer.unref?.();
    }
  }

  /** Sends a delayed snapshot update at once. */
  private flushSnapshot(): void {
    if (!this.snapshotTimer) return;
    clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
    this.sendSnapshot();
  }

  private sendSnapshot(): void {
    const host = jupyterHost();
    if (!host || !this.snapshotId) return;
    // Under the running cell's request: a run that an earlier cell started ends while a later one runs (see DisplayOptions.toRunningCell).
    host.display(this.snapshotBundle(), { displayId: this.snapshotId, update: true, toRunningCell: true });
    this.snapshotSentAt = performance.now();
    this.snapshotUpdates++;
  }

  /** Resolves when the idle-time prefetch in flight (if any) has ended. */
  async whenPrefetched(): Promise<void> {
    await this.scheduler.idleWork;
  }

  /**
   * Idle time (issue 12): LIMA/SMDL run on the neighbouring slider settings of the method on
   * screen, the control moved last first, so their outputs land in the explainer's cache. The
   * explainer is told the explorer's division first, so the neighbours use the same regions.
   */
  private async prefetch(signal: AbortSignal): Promise<void> {
    if (this.prefetchLimit <= 0 || this.lastTarget === undefined) return;
    const s = this.state.settings;
    const explainer = (this.attributors.get(s.method)?.attributor as Partial<SubmodularAttributor> | undefined)?.explainer;
    if (!explainer) return;
    explainer.setOptions({ division: this.divisionOptions(this.state.photo, s.division) });
    this.lastPrefetch = await prefetchNeighbours(explainer, this.photoList[this.state.photo].image, { last: this.lastMove, target: this.lastTarget, signal, limit: this.prefetchLimit });
  }

  protected override writableKeys(): readonly string[] {
    return WRITABLE_KEYS;
  }

  protected override validate(patch: Record<string, unknown>): string | undefined {
    if ("settings" in patch) {
      try {
        // The front-end sends the whole value; checked against the schema, nothing filled in silently.
        const resolved = resolveSettings(patch.settings, this.model.labels.length, this.methods, this.divisionParams, this.state.settings);
        patch.settings = resolved;
      } catch (e) {
        return (e as Error).message;
      }
    }
    if ("photo" in patch) {
      const problem = this.checkPhoto(patch.photo);
      if (problem) return problem;
    }
    if ("step" in patch && (!Number.isInteger(patch.step) || (patch.step as number) < 0)) return `step ${JSON.stringify(patch.step)} is not allowed: use an integer ≥ 0`;
    if ("opacity" in patch && !(typeof patch.opacity === "number" && patch.opacity >= 0 && patch.opacity <= 1)) return `opacity ${JSON.stringify(patch.opacity)} is not allowed: use a number in 0..1`;
    if ("y_fit" in patch && typeof patch.y_fit !== "boolean") return `y_fit ${JSON.stringify(patch.y_fit)} is not allowed: use true or false`;
    return undefined;
  }

  protected override rejected(problem: string): void {
    this.set({ error: problem });
  }

  protected override onChange(keys: readonly string[]): void {
    if (keys.includes("photo")) this.switchPhoto(this.state.photo);
    if (keys.includes("settings") || keys.includes("photo")) {
      if (this.state.error) this.set({ error: "" });
      this.scheduler.request();
    }
  }

  protected override onCustom(content: Record<string, unknown>): void {
    if (content.type === "stop") this.stop();
    else if (content.type === "reset") this.reset();
  }

  protected override onClose(): void {
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
    this.scheduler.stop();
    for (const { attributor } of this.attributors.values()) void attributor.dispose?.();
    this.attributors.clear();
  }

  /**
   * The method's attributor, bound to `options`: the one of the previous run re-bound in place
   * when it can be (Attributor.setOptions: LIMA keeps its output cache across λ and n_p changes),
   * else a new one with the same options reused, else a new one.
   */
  private attributor(method: AttributionMethod, options: Record<string, unknown>): Attributor {
    const key = JSON.stringify(options);
    const held = this.attributors.get(method.name);
    if (held && held.key === key) return held.attributor;
    if (held?.attributor.setOptions) {
      const explainer = (held.attributor as Partial<SubmodularAttributor>).explainer;
      const before = explainer?.options;
      held.attributor.setOptions(options);
      if (explainer && before) this.lastMove = movedControl(before, explainer.options) ?? this.lastMove;
      held.key = key;
      return held.attributor;
    }
    void held?.attributor.dispose?.();
    const attributor = method.create(this.cached, options);
    this.attributors.set(method.name, { key, attributor });
    return attributor;
  }

  private checkPhoto(index: unknown): string | undefined {
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= this.photoList.length) return `photo ${JSON.stringify(index)} is not allowed: use 0..${this.photoList.length - 1}`;
    return undefined;
  }

  /** The new photo's image; the old photo's results go (they do not belong to it). */
  private switchPhoto(index: number): void {
    const p = this.photoList[index];
    this.lastMaps = [];
    this.set({ photo: index, title: p.title, image_png: rgbPng(p.image), results: [], map_png: new Uint8Array(0), compare_map_png: new Uint8Array(0), labels: new Uint8Array(0), group_masks_png: new Uint8Array(0), top5: [], target_label: "", target_probability: NaN, step: 0 });
  }

  /** How a photo is divided under the settings: its own regions when it carries them, else the chosen strategy's options. */
  private divisionOptions(photo: number, values: ParamValues): DivisionOptions {
    const given = this.photoList[photo].regions;
    return given ? { method: "labels", values: given.labels } : divisionOptionsFrom(values);
  }

  /** The division of a photo under the settings, memoised per photo and division settings. */
  private divisionOf(photo: number, values: ParamValues): Division {
    const key = `${photo}|${JSON.stringify(values)}`;
    let division = this.divisions.get(key);
    if (!division) {
      division = this.photoList[photo].regions ?? divide(this.photoList[photo].image, this.divisionOptions(photo, values));
      this.divisions.set(key, division);
      if (this.divisions.size > 32) this.divisions.delete(this.divisions.keys().next().value!);
    }
    return division;
  }

  /**
   * Whole photos through the cache: by the tensor path when the model has one, so that they share
   * their entries with LIMA's full-image S-images (the tensor path's keys), else as images.
   */
  private runPhotos(images: readonly RgbImage[], signal: AbortSignal): Promise<ModelOutput[]> {
    const tensors = this.cached.tensorInput;
    return tensors ? tensors.runTensors(images.map((im) => tensors.normalise(im)), { signal }) : this.cached.run(images, { signal });
  }

  /** Top-1 class of every photo (one batch through the cache, once), for the strip. */
  private predictPhotos(signal: AbortSignal): Promise<void> {
    this.predictions ??= (async () => {
      const outputs = await this.runPhotos(this.photoList.map((p) => p.image), signal);
      const photos = this.state.photos.map((info, i) => {
        const top = topK(outputs[i].probs, 1)[0];
        return { ...info, predicted: this.model.labels[top], predicted_score: outputs[i].probs[top] };
      });
      this.set({ photos });
    })().catch((error: unknown) => {
      this.predictions = undefined;
      throw error;
    });
    return this.predictions;
  }

  private async runOnce(signal: AbortSignal): Promise<void> {
    const s = this.state.settings;
    const photoIndex = this.state.photo;
    const image = this.photoList[photoIndex].image;
    const t0 = performance.now();
    let first = NaN;
    const run = this.state.run + 1;
    const passes0 = this.model.forwardPasses;
    const hits0 = this.cached.hits;
    /** Hits of the methods' own output caches in this run (the explorer's image cache counts apart). */
    let methodHits = 0;
    this.set({ run, status: "running", error: "", progress: { fraction: 0, phase: "division" } });
    const record = (outcome: RunOutcome["kind"]) =>
      this.history.push({ run, settings: s, photo: photoIndex, outcome, forwardPasses: this.model.forwardPasses - passes0, cacheHits: this.cached.hits - hits0 + methodHits, firstUpdateMs: first, ms: performance.now() - t0 });
    try {
      await this.predictPhotos(signal);
      const division = this.divisionOf(photoIndex, s.division);
      const [full] = await this.runPhotos([image], signal);
      const predicted = topK(full.probs, 1)[0];
      const target = s.target < 0 ? predicted : s.target;
      this.lastTarget = target;
      this.set({
        top5: topK(full.probs, 5).map((index) => ({ index, label: this.model.labels[index], score: full.probs[index] })),
        target_label: this.model.labels[target],
        target_probability: full.probs[target],
        regions: division.count,
      });
      const names = [s.method, ...(s.compare ? [s.compare] : [])];
      const results: MethodResult[] = [];
      const maps: SaliencyMap[] = [];
      let groupMasks = new Uint8Array(0);
      let lastSent = 0;
      for (const [i, name] of names.entries()) {
        const method = this.methods.find((m) => m.name === name)!;
        const phase = `${name} (${i + 1}/${names.length})`;
        const progress = (fraction: number) => {
          const now = performance.now();
          if (Number.isNaN(first)) first = now - t0;
          if (now - lastSent < 100 && fraction < 1) return; // at most ten updates a second
          lastSent = now;
          this.set({ progress: { fraction: (i + Math.min(1, Math.max(0, fraction)) * 0.9) / names.length, phase } });
        };
        progress(0);
        const passes = this.model.forwardPasses, hits = this.cached.hits, t1 = performance.now();
        const attributor = this.attributor(method, methodOptions(method.params, s.params[name]));
        const r = await attributor.attribute(image, { target, division: method.usesDivision ? division : undefined, signal, onProgress: progress });
        // A region method told to use our division gives its order on it; otherwise the map's region means.
        methodHits += r.cacheHits ?? 0;
        const order = method.usesDivision && r.order && r.order.length === division.count ? [...r.order] : regionOrderFromMap(r.map, division);
        this.set({ progress: { fraction: (i + 0.9) / names.length, phase: `${name} curves` } });
        const curves = await regionCurves(this.cached, image, division, order, target, signal);
        const highConfidence = highestConfidence(curves.insertion, CONFIDENCE_RANGES);
        let best = 0;
        curves.insertion.y.forEach((y, k) => (y > curves.insertion.y[best] ? (best = k) : undefined));
        // The shown method's groups (not the compared one's) for the group viewer: ranked, capped, region lists where they can be.
        const grouped = i === 0 && r.groups && r.groups.length > 0 ? groupPayload(r.groups, division) : undefined;
        if (grouped) groupMasks = grouped.masksPng;
        results.push({
          method: name,
          title: method.title,
          target_label: this.model.labels[target],
          order,
          insertion: curves.insertion,
          deletion: curves.deletion,
          metrics: {
            insertion_auc: curves.insertion.auc,
            deletion_auc: curves.deletion.auc,
            highest_confidence: CONFIDENCE_RANGES.map((p) => highConfidence[String(p)].score),
            best_step: best,
            forward_passes: this.model.forwardPasses - passes,
            cache_hits: this.cached.hits - hits + (r.cacheHits ?? 0),
            ms: Math.round(performance.now() - t1),
          },
          map_range: mapRange(r.map),
          run,
          ...(grouped ? { groups: grouped.groups, groups_total: grouped.total } : {}),
        });
        maps.push(r.map);
      }
      record("done");
      this.lastMaps = maps;
      this.set({
        status: "done",
        results,
        progress: null,
        step: results[0].metrics.best_step,
        map_png: mapPng(maps[0]),
        compare_map_png: maps[1] ? mapPng(maps[1]) : new Uint8Array(0),
        labels: labelBytes(division.labels),
        group_masks_png: groupMasks,
      });
    } catch (error) {
      record(signal.aborted ? "stopped" : "error");
      throw error;
    }
  }

  private finished(outcome: RunOutcome): void {
    if (outcome.kind === "stopped") this.set({ status: "stopped", progress: null });
    else if (outcome.kind === "error") {
      const e = outcome.error;
      this.set({ status: "error", progress: null, error: e instanceof Error ? e.message : String(e) });
    }
    // A superseded run is followed by the newer one, whose end updates the snapshot.
    if (outcome.kind !== "superseded") this.snapshotSoon();
  }
}

/** What {@link explore} shows: an image, a named photo, or a list of either. */
export type ExploreSource = RgbImage | NamedPhoto | readonly (RgbImage | NamedPhoto)[];

/**
 * Shows the live explorer for a model and one or more photos in the running notebook cell and
 * starts the first run in the background. Returns the widget (await `whenIdle()` for the run).
 * Given a folder or a list of files, loads them for the model first (so it returns a promise).
 */
export function explore(model: BlackBoxModel, photos: ExploreSource, options?: ExploreOptions): ExplorerWidget;
export function explore(model: BlackBoxModel, files: string | readonly string[], options?: ExploreOptions): Promise<ExplorerWidget>;
export function explore(model: BlackBoxModel, source: ExploreSource | string | readonly string[], options: ExploreOptions = {}): ExplorerWidget | Promise<ExplorerWidget> {
  if (typeof source === "string" || (Array.isArray(source) && source.length > 0 && source.every((s) => typeof s === "string"))) {
    return loadPhotos(model, source as string | readonly string[]).then((photos) => explore(model, photos, options));
  }
  const widget = new ExplorerWidget(model, source as ExploreSource, options);
  if (options.display !== false) widget.display();
  widget.rerun();
  return widget;
}

/** Loads a folder's photos (or the listed files) at the model's input size, named by file name. */
export async function loadPhotos(model: BlackBoxModel, source: string | readonly string[]): Promise<NamedPhoto[]> {
  const { statSync } = await import("node:fs");
  const path = await import("node:path");
  const files = typeof source === "string" ? (statSync(source).isDirectory() ? listPhotos(source) : [source]) : [...source];
  const card = (model as { card?: Parameters<typeof loadImage>[1] }).card;
  if (!card) throw new TypeError(`model ${model.name} has no card to load photos for: give explore() images loaded with loadImage(file, preprocessing)`);
  const photos: NamedPhoto[] = [];
  for (const file of files) photos.push({ image: await loadImage(file, card), title: path.basename(file) });
  return photos;
}
