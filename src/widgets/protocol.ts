/**
 * The explorer widget's protocol: names shared by the kernel side (src/widgets) and the
 * front-end (widgets/src). Pure data, no imports, so both builds can include it.
 *
 * State keys are snake_case like ipywidgets' traits. Binary values (PNG bytes, the region label
 * map) travel as comm buffers and are named by `buffer_paths`; everything else is JSON.
 */

/** npm name of the front-end module (and of the JupyterLab extension). */
export const WIDGET_MODULE = "lima-xai-widgets";
/** Version the front-end registers; the kernel asks for a compatible range. */
export const WIDGET_MODULE_VERSION = "0.1.0";
/** The range the kernel puts in `_model_module_version` / `_view_module_version`. */
export const WIDGET_MODULE_RANGE = "^0.1.0";
export const EXPLORER_MODEL = "ExplorerModel";
export const EXPLORER_VIEW = "ExplorerView";

/** Sliders and choices the front-end writes (the kernel re-runs attribution when they change). */
export interface ExplorerSettings {
  /** λ weights of LIMA eq. 8 (consistency, collaboration, confidence, effectiveness). */
  readonly lambda_cons: number;
  readonly lambda_colla: number;
  readonly lambda_conf: number;
  readonly lambda_eff: number;
  /** Bidirectional search's n_p (LIMA Alg. 1). */
  readonly np: number;
  /** Requested number of sub-regions |V|. */
  readonly regions: number;
  readonly division: "slico" | "grid";
  readonly search: "bidirectional" | "greedy";
  /** Class index to explain; -1 means the model's top-1 prediction. */
  readonly target: number;
}

export const SETTING_KEYS = ["lambda_cons", "lambda_colla", "lambda_conf", "lambda_eff", "np", "regions", "division", "search", "target"] as const;

export type RunStatus = "idle" | "running" | "done" | "stopped" | "error";

export interface CurveData {
  readonly x: number[];
  readonly y: number[];
  readonly auc: number;
}

/** Numbers of the last finished run (metrics table). */
export interface RunMetrics {
  readonly insertion_auc: number;
  readonly deletion_auc: number;
  /** Highest confidence within ≤25 %, ≤50 %, ≤75 %, ≤100 % of the image (LIMA §4). */
  readonly highest_confidence: number[];
  /** Step (number of regions revealed) where the insertion curve peaks. */
  readonly best_step: number;
  readonly forward_passes: number;
  readonly cache_hits: number;
  readonly ms: number;
  /** |V| actually produced by the division. */
  readonly regions: number;
}

export interface RunProgress {
  readonly step: number;
  readonly total_steps: number;
  readonly forward_passes: number;
  readonly cache_hits: number;
}

/** The full synced state of an explorer (besides the _model_* / _view_* keys). */
export interface ExplorerStateData {
  settings: ExplorerSettings;
  /** Image file name or caption: plain text. */
  title: string;
  model_name: string;
  width: number;
  height: number;
  /** Class labels of the model, index order (plain text). */
  classes: string[];
  /** Top-5 predictions of the whole image. */
  top5: { index: number; label: string; score: number }[];
  /** Explained class of the last run. */
  target_label: string;
  /** Region order of the last (or running) search: most important first. */
  order: number[];
  insertion: CurveData | null;
  deletion: CurveData | null;
  /** The growing insertion prefix while a run goes. */
  partial: { x: number[]; y: number[] } | null;
  metrics: RunMetrics | null;
  progress: RunProgress | null;
  status: RunStatus;
  /** Error message of the last run (plain text), "" when none. */
  error: string;
  /** Increases at every run start. */
  run: number;
  /** Selected step: how many regions the revealed image shows (front-end writes). */
  step: number;
  /** Opacity of the map over the image, 0..1 (front-end writes). */
  opacity: number;
}

/** Binary state keys: PNG of the input image, PNG of the colour-mapped importance map, and the
 * division's label map as little-endian Uint16 (width·height values, region index per pixel). */
export const BINARY_KEYS = ["image_png", "map_png", "labels"] as const;

/** Custom messages, front-end → kernel. */
export type ExplorerRequest = { readonly type: "stop" };

/**
 * DOM hooks of the explorer view, for tests and for users' CSS. The root carries
 * `data-status` (a {@link RunStatus}) and `data-run` (the run counter).
 */
export const DOM = {
  root: ".lima-explorer",
  /** `input[type=range]` per numeric setting; the kernel is told on "change" (slider release). */
  slider: (key: "lambda_cons" | "lambda_colla" | "lambda_conf" | "lambda_eff" | "np" | "regions" | "step" | "opacity") =>
    `input[data-setting="${key}"]`,
  select: (key: "division" | "search" | "target") => `select[data-setting="${key}"]`,
  /** Free-text class name; Enter applies it. */
  targetName: `input[data-setting="target_name"]`,
  stop: `button[data-action="stop"]`,
  status: `[data-role="status"]`,
  progress: `progress[data-role="progress"]`,
  /** The plotly div of the curves: `.data[0]` insertion, `.data[1]` deletion. */
  curves: `[data-role="curves"]`,
  /** Canvas with the image and the map overlaid. */
  map: `canvas[data-role="map"]`,
  /** Canvas with the image revealed up to the selected step. */
  reveal: `canvas[data-role="reveal"]`,
  metrics: `table[data-role="metrics"]`,
} as const;
