import type { DivisionOptions } from "../division";
import { Explainer, type ExplainProgress } from "../explain/explainer";
import type { Explanation } from "../explain/result";
import { CONFIDENCE_RANGES } from "../explain/curves";
import { colourOf, normalise } from "../image/colormap";
import { encodePng } from "../image/png";
import type { BlackBoxModel } from "../model/types";
import { LIMA_LAMBDAS } from "../score/options";
import type { RgbImage } from "../types";
import {
  EXPLORER_MODEL,
  EXPLORER_VIEW,
  type ExplorerSettings,
  type ExplorerStateData,
  type RunMetrics,
  SETTING_KEYS,
  WIDGET_MODULE,
  WIDGET_MODULE_RANGE,
} from "./protocol";
import { LatestWins, type RunOutcome } from "./scheduler";
import { type Binary, Widget } from "./widget";

/** Options of {@link explore}; every field has a default. */
export interface ExploreOptions {
  /** Caption shown above the image, e.g. the file name (plain text). Default "image". */
  readonly title?: string;
  /** Initial settings. Default: LIMA's λ (20, 5, 0.05, 0.01), n_p 8, SLICO with 49 regions, bidirectional search, predicted class. */
  readonly settings?: Partial<ExplorerSettings>;
  /** Memory bound of the cached model outputs (default 256 MiB, LRU eviction). */
  readonly cacheBytes?: number;
  /** An Explainer to reuse (its cache included); default a new one for `model`. */
  readonly explainer?: Explainer;
  /** Show the widget in the running cell (default true). */
  readonly display?: boolean;
}

export const DEFAULT_SETTINGS: ExplorerSettings = Object.freeze({
  lambda_cons: LIMA_LAMBDAS.cons,
  lambda_colla: LIMA_LAMBDAS.colla,
  lambda_conf: LIMA_LAMBDAS.conf,
  lambda_eff: LIMA_LAMBDAS.eff,
  np: 8,
  regions: 49,
  division: "slico",
  search: "bidirectional",
  target: -1,
});

type State = ExplorerStateData & { image_png: Binary; map_png: Binary; labels: Binary };

/** One finished or cancelled run, as the explorer saw it (for tests and latency numbers). */
export interface ExplorerRunRecord {
  readonly run: number;
  readonly settings: ExplorerSettings;
  readonly outcome: RunOutcome["kind"];
  readonly forwardPasses: number;
  readonly cacheHits: number;
  /** ms from the run's start to its first progress update and to its end. */
  readonly firstUpdateMs: number;
  readonly ms: number;
}

/** Checks settings from the front-end; returns the problems in words, or undefined. */
export function checkSettings(s: unknown, classes: number): string | undefined {
  if (typeof s !== "object" || s === null) return "settings must be an object";
  const v = s as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of ["lambda_cons", "lambda_colla", "lambda_conf", "lambda_eff"]) {
    if (typeof v[k] !== "number" || !Number.isFinite(v[k]) || (v[k] as number) < 0) problems.push(`${k} = ${String(v[k])} (allowed: a finite number ≥ 0)`);
  }
  if (!Number.isInteger(v.np) || (v.np as number) < 1) problems.push(`np = ${String(v.np)} (allowed: an integer ≥ 1)`);
  if (!Number.isInteger(v.regions) || (v.regions as number) < 2 || (v.regions as number) > 400) problems.push(`regions = ${String(v.regions)} (allowed: an integer 2..400)`);
  if (v.division !== "slico" && v.division !== "grid") problems.push(`division = ${String(v.division)} (allowed: slico, grid)`);
  if (v.search !== "bidirectional" && v.search !== "greedy") problems.push(`search = ${String(v.search)} (allowed: bidirectional, greedy)`);
  if (!Number.isInteger(v.target) || (v.target as number) < -1 || (v.target as number) >= classes) problems.push(`target = ${String(v.target)} (allowed: -1 for the prediction, or a class index 0..${classes - 1})`);
  const unknown = Object.keys(v).filter((k) => !(SETTING_KEYS as readonly string[]).includes(k));
  if (unknown.length) problems.push(`unknown setting(s) ${unknown.join(", ")} (allowed: ${SETTING_KEYS.join(", ")})`);
  return problems.length ? `invalid settings: ${problems.join("; ")}` : undefined;
}

/** The colour-mapped importance map as RGB PNG bytes. */
function mapPng(result: Explanation): Uint8Array {
  const values = normalise(result.importanceMap);
  const rgb = new Uint8ClampedArray(values.length * 3);
  values.forEach((v, p) => rgb.set(colourOf(v), p * 3));
  return new Uint8Array(encodePng(rgb, result.importanceMap.width, result.importanceMap.height));
}

/** The division's region index per pixel as little-endian Uint16 bytes. */
function labelBytes(labels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(labels.length * 2);
  const view = new DataView(out.buffer);
  for (let p = 0; p < labels.length; p++) view.setUint16(p * 2, labels[p], true);
  return out;
}

function metricsOf(result: Explanation): RunMetrics {
  const ins = result.insertion;
  let best = 0;
  ins.y.forEach((y, i) => (y > ins.y[best] ? (best = i) : undefined));
  return {
    insertion_auc: ins.auc,
    deletion_auc: result.deletion.auc,
    highest_confidence: CONFIDENCE_RANGES.map((p) => result.highestConfidence[String(p)]?.score ?? NaN),
    best_step: best,
    forward_passes: result.forwardPasses,
    cache_hits: result.cacheHits,
    ms: Math.round(result.ms),
    regions: result.division.count,
  };
}

function divisionOf(s: ExplorerSettings): DivisionOptions {
  return { method: s.division, regions: s.regions };
}

/**
 * The live explorer (widget model "ExplorerModel" of lima-xai-widgets): the front-end's sliders
 * change {@link ExplorerSettings}; every change re-runs LIMA Algorithm 1 through one
 * {@link Explainer}, whose memoised model outputs make λ / n_p changes mostly cache hits and
 * whose memoised divisions make a return to an earlier |V| cheap. Runs are latest-wins: a newer
 * change cancels the running one. Progress (the growing insertion prefix) streams to the view.
 */
export class ExplorerWidget extends Widget<State> {
  readonly explainer: Explainer;
  /** Every run's outcome and counts, oldest first. */
  readonly history: ExplorerRunRecord[] = [];
  private readonly scheduler: LatestWins;

  constructor(readonly model: BlackBoxModel, readonly image: RgbImage, options: ExploreOptions = {}) {
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const problem = checkSettings(settings, model.labels.length);
    if (problem) throw new RangeError(problem);
    const rgb = Uint8ClampedArray.from(image.data);
    super(
      {
        settings,
        title: options.title ?? "image",
        model_name: model.name,
        width: image.width,
        height: image.height,
        classes: [...model.labels],
        top5: [],
        target_label: "",
        order: [],
        insertion: null,
        deletion: null,
        partial: null,
        metrics: null,
        progress: null,
        status: "idle",
        error: "",
        run: 0,
        step: 0,
        opacity: 0.5,
        image_png: new Uint8Array(encodePng(rgb, image.width, image.height)),
        map_png: new Uint8Array(0),
        labels: new Uint8Array(0),
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
    this.explainer = options.explainer ?? new Explainer(model, { cacheBytes: options.cacheBytes });
    this.scheduler = new LatestWins((signal) => this.runOnce(signal), (outcome) => this.finished(outcome));
  }

  /** Current settings. */
  get settings(): ExplorerSettings {
    return this.state.settings;
  }

  /** Searches started so far (a burst of changes starts at most two). */
  get runsStarted(): number {
    return this.scheduler.started;
  }

  /** Changes settings from the kernel side (as a slider would) and re-runs. */
  update(settings: Partial<ExplorerSettings>): void {
    const next = { ...this.state.settings, ...settings };
    const problem = checkSettings(next, this.model.labels.length);
    if (problem) throw new RangeError(problem);
    this.set({ settings: next });
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

  /** Resolves when no run is going or pending. */
  whenIdle(): Promise<void> {
    return this.scheduler.idle();
  }

  protected override validate(patch: Record<string, unknown>): string | undefined {
    if ("settings" in patch) return checkSettings(patch.settings, this.model.labels.length);
    if ("step" in patch && (!Number.isInteger(patch.step) || (patch.step as number) < 0)) return `step = ${String(patch.step)} (allowed: an integer ≥ 0)`;
    if ("opacity" in patch && !(typeof patch.opacity === "number" && patch.opacity >= 0 && patch.opacity <= 1)) return `opacity = ${String(patch.opacity)} (allowed: 0..1)`;
    return undefined;
  }

  protected override rejected(problem: string): void {
    this.set({ error: problem });
  }

  protected override onChange(keys: readonly string[]): void {
    if (keys.includes("settings")) this.scheduler.request();
  }

  protected override onCustom(content: Record<string, unknown>): void {
    if (content.type === "stop") this.stop();
  }

  protected override onClose(): void {
    this.scheduler.stop();
  }

  private async runOnce(signal: AbortSignal): Promise<void> {
    const s = this.state.settings;
    const t0 = performance.now();
    let first = NaN;
    const run = this.state.run + 1;
    this.set({ run, status: "running", error: "", progress: null, partial: null });
    this.explainer.setOptions({
      lambdas: { cons: s.lambda_cons, colla: s.lambda_colla, conf: s.lambda_conf, eff: s.lambda_eff },
      np: s.np,
      search: s.search,
      division: divisionOf(s),
    });
    let counts = { forwardPasses: 0, cacheHits: 0 };
    const record = (outcome: RunOutcome["kind"]) =>
      this.history.push({ run, settings: s, outcome, ...counts, firstUpdateMs: first, ms: performance.now() - t0 });
    try {
      const result = await this.explainer.explain(this.image, {
        target: s.target < 0 ? "predicted" : s.target,
        signal,
        onProgress: (p) => {
          counts = { forwardPasses: p.forwardPasses, cacheHits: p.cacheHits };
          if (Number.isNaN(first)) first = performance.now() - t0;
          this.progress(p);
        },
      });
      counts = { forwardPasses: result.forwardPasses, cacheHits: result.cacheHits };
      record("done");
      this.set({
        status: "done",
        top5: result.top5.map((c) => ({ index: c.index, label: c.label, score: c.score })),
        target_label: result.target.label,
        order: [...result.order],
        insertion: { x: [...result.insertion.x], y: [...result.insertion.y], auc: result.insertion.auc },
        deletion: { x: [...result.deletion.x], y: [...result.deletion.y], auc: result.deletion.auc },
        partial: null,
        metrics: metricsOf(result),
        progress: null,
        step: metricsOf(result).best_step,
        map_png: mapPng(result),
        labels: labelBytes(result.division.labels),
      });
    } catch (error) {
      record(signal.aborted ? "stopped" : "error");
      throw error;
    }
  }

  /** Streams a progress update: counts, and the insertion prefix found so far (grows every step). */
  private progress(p: ExplainProgress): void {
    const patch: Partial<State> = {
      progress: { step: p.step, total_steps: p.totalSteps, forward_passes: p.forwardPasses, cache_hits: p.cacheHits },
    };
    if (p.partial) {
      patch.partial = { x: p.partial.insertion.x, y: p.partial.insertion.y.map((v) => (Number.isFinite(v) ? v : 0)) };
      patch.order = [...p.partial.order];
    }
    this.set(patch);
  }

  private finished(outcome: RunOutcome): void {
    if (outcome.kind === "stopped") this.set({ status: "stopped", progress: null });
    else if (outcome.kind === "error") {
      const e = outcome.error;
      this.set({ status: "error", progress: null, error: e instanceof Error ? e.message : String(e) });
    }
  }
}

/**
 * Shows the live explorer for a model and an image in the running notebook cell and starts the
 * first attribution run in the background. Returns the widget (await `whenIdle()` for the run).
 */
export function explore(model: BlackBoxModel, image: RgbImage, options: ExploreOptions = {}): ExplorerWidget {
  const widget = new ExplorerWidget(model, image, options);
  if (options.display !== false) widget.display();
  widget.rerun();
  return widget;
}
