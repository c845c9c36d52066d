/**
 * The explorer widget's protocol: names shared by the kernel side (src/widgets) and the
 * front-end (widgets/src). Data and types only (type imports vanish), so both builds include it.
 *
 * State keys are snake_case like ipywidgets' traits. Binary values (PNG bytes, the region label
 * map) travel as comm buffers and are named by `buffer_paths`; everything else is JSON.
 * Parameter ranges, defaults and tooltips are NOT written here: the kernel sends the schema
 * (`methods[i].params`, `division_params`, from src/params and the method registry) in the state.
 */
import type { ParamSpec } from "../params/types";

/** npm name of the front-end module (and of the JupyterLab extension). */
export const WIDGET_MODULE = "lima-xai-widgets";
/** Version the front-end registers; the kernel asks for a compatible range. */
export const WIDGET_MODULE_VERSION = "0.1.0";
/** The range the kernel puts in `_model_module_version` / `_view_module_version`. */
export const WIDGET_MODULE_RANGE = "^0.1.0";
export const EXPLORER_MODEL = "ExplorerModel";
export const EXPLORER_VIEW = "ExplorerView";
/**
 * Class of the root element of the explorer's static snapshot (src/widgets/snapshot.ts), the
 * output shown after the widget for viewers without the extension; the JupyterLab plugin hides
 * the output that holds it.
 */
export const SNAPSHOT_CLASS = "lima-xai-snapshot";
/** Comm target the stand-alone page opens with its request (one JSON value, see page-host.ts). */
export const PAGE_TARGET = "lima-xai.explorer-page";

/**
 * Below this probability of the explained class on the full image the view warns that the map
 * explains a class the model does not see (the map is then mostly noise).
 */
export const LOW_PROBABILITY = 0.01;

/** A parameter value as JSON. */
export type ParamValue = number | string | boolean;
export type ParamValues = Readonly<Record<string, ParamValue>>;

/**
 * Everything the front-end may change, as ONE JSON value. Every method keeps its own options, so
 * switching method (or photo) and back keeps them.
 */
export interface ExplorerSettings {
  /** Registry name of the method shown. */
  readonly method: string;
  /** Registry name of a second method run on the same photo and division, or "" for none. */
  readonly compare: string;
  /** Options of every registered method, by method name (values of its `params`). */
  readonly params: Readonly<Record<string, ParamValues>>;
  /** The shared division (values of `division_params`). */
  readonly division: ParamValues;
  /** Class index to explain; -1 means the model's top-1 prediction on the photo. */
  readonly target: number;
}

/** A registered method as the front-end sees it: its schema builds its controls. */
export interface MethodInfo {
  readonly name: string;
  readonly title: string;
  readonly paper: string;
  readonly uses_division: boolean;
  readonly params: readonly ParamSpec[];
}

/** One photo of the strip. */
export interface PhotoInfo {
  /** File name or caption (plain text). */
  readonly title: string;
  /** The model's top-1 class on the full photo. */
  readonly predicted: string;
  readonly predicted_score: number;
  /** True class from an ImageNet-style file name (`<wnid>_<name>.JPEG`), "" when unknown. */
  readonly truth: string;
  /** Byte range of its thumbnail PNG inside the `thumbs_png` buffer: [offset, length]. */
  readonly thumb: readonly [number, number];
}

export type RunStatus = "idle" | "running" | "done" | "stopped" | "error";

export interface CurveData {
  /** Revealed (insertion) or removed (deletion) area fraction after each step. */
  readonly x: number[];
  /** Probability of the explained class. */
  readonly y: number[];
  readonly auc: number;
}

/** Numbers of one method's finished run (the metrics table, one column per method). */
export interface RunMetrics {
  readonly insertion_auc: number;
  readonly deletion_auc: number;
  /** Highest confidence within ≤25 %, ≤50 %, ≤75 %, ≤100 % of the image (LIMA eq. 15). */
  readonly highest_confidence: number[];
  /** Step (number of regions revealed) where the insertion curve peaks. */
  readonly best_step: number;
  /** Images the model ran for the method (cache hits not counted). */
  readonly forward_passes: number;
  /** Images served from the explorer's output cache (a method's own memo, e.g. LIMA's across λ changes, not counted). */
  readonly cache_hits: number;
  readonly ms: number;
}

/**
 * One group of a grouped result (Sum-of-Parts Definition 2; LIMA's ordered prefixes) as the group
 * viewer gets it: its score and either its regions on the shared division (the view rebuilds the
 * mask from `labels`) or the byte range of its mask PNG in `group_masks_png`.
 */
export interface GroupInfo {
  /** Position in the method's own group list. */
  readonly index: number;
  /** The group's score (LIMA: the marginal gain of the prefix's last region; SOP: weight × partial logit). */
  readonly score: number;
  /** Pixels in the group. */
  readonly pixels: number;
  /** Region indices into the `labels` map when the group is exactly a union of the shared division's regions, else null. */
  readonly regions: number[] | null;
  /** [offset, length] of its mask PNG (white = in the group) inside `group_masks_png` when `regions` is null, else null. */
  readonly mask: readonly [number, number] | null;
}

/** One method's result on the current photo. Curves are region curves on the shared division. */
export interface MethodResult {
  readonly method: string;
  readonly title: string;
  /** The class it explains (plain text): shown with it, also while a newer run is going. */
  readonly target_label: string;
  /** Region order used by the curves: the method's own, or its map's mean per region, highest first. */
  readonly order: number[];
  readonly insertion: CurveData;
  readonly deletion: CurveData;
  readonly metrics: RunMetrics;
  /** Smallest and largest value of the raw map: the colour bar's scale. */
  readonly map_range: readonly [number, number];
  /** The run that produced it (older than `run` while a new run goes: stale). */
  readonly run: number;
  /**
   * The shown method's groups, when it produces groups (LIMA, SMDL, SOP), highest score first and
   * at most 50 of them (src/widgets/groups.ts); absent for the compared method and for methods
   * without groups.
   */
  readonly groups?: GroupInfo[];
  /** How many groups the method produced (the viewer shows at most 50). */
  readonly groups_total?: number;
}

export interface RunProgress {
  /** Fraction of the whole run done, 0..1. */
  readonly fraction: number;
  /** What runs now, e.g. "rise (2/2)". */
  readonly phase: string;
}

/** The full synced state of an explorer (besides the _model_* / _view_* keys). */
export interface ExplorerStateData {
  settings: ExplorerSettings;
  /** Index into `photos` (front-end writes). */
  photo: number;
  photos: PhotoInfo[];
  methods: MethodInfo[];
  division_params: ParamSpec[];
  /** Settings with every default, for the reset button. */
  defaults: ExplorerSettings;
  /** Colours of the map's scale from low to high (RGB 0..255), for the colour bar. */
  colormap: number[][];
  /** Current photo's name (plain text). */
  title: string;
  model_name: string;
  width: number;
  height: number;
  /** Class labels of the model, index order (plain text). */
  classes: string[];
  /** Top-5 predictions of the whole photo. */
  top5: { index: number; label: string; score: number }[];
  /** Explained class of the last run and its probability on the full photo. */
  target_label: string;
  target_probability: number;
  /** |V| the division actually produced (SLICO may give fewer than asked), 0 before the first run. */
  regions: number;
  /** Results of the last finished run: the method, then the compared one. */
  results: MethodResult[];
  progress: RunProgress | null;
  status: RunStatus;
  /** Error message of the last run or refused change (plain text), "" when none. */
  error: string;
  /** Increases at every run start. */
  run: number;
  /** Selected step: how many regions the revealed image shows (front-end writes). */
  step: number;
  /** Opacity of the map over the image, 0..1 (front-end writes). */
  opacity: number;
  /** Whether the curves' y axis follows the data instead of 0..1 (front-end writes). */
  y_fit: boolean;
}

/** Keys the front-end may write; the kernel owns (and refuses writes to) every other key. */
export const WRITABLE_KEYS = ["settings", "photo", "step", "opacity", "y_fit"] as const;

/** Binary state keys: PNG of the photo, PNGs of the colour-mapped maps (method, compared method),
 * the division's label map as little-endian Uint16 (region index per pixel), thumbnails (concatenated PNGs),
 * the masks of the shown result's groups that are not region lists (concatenated PNGs, see {@link GroupInfo}). */
export const BINARY_KEYS = ["image_png", "map_png", "compare_map_png", "labels", "thumbs_png", "group_masks_png"] as const;

/** Custom messages, front-end → kernel. */
export type ExplorerRequest = { readonly type: "stop" } | { readonly type: "reset" };

/**
 * DOM hooks of the explorer view, for tests and for users' CSS. The root carries `data-status`
 * (a {@link RunStatus}), `data-run` (the run counter), `data-stale` ("true" while the results
 * shown come from an older run), `data-map-run` (the run whose map is drawn).
 */
export const DOM = {
  root: ".lima-explorer",
  /** A method option's control (input[type=range], select or checkbox): `[data-param="lima.np"]`. */
  param: (method: string, name: string) => `[data-param="${method}.${name}"]`,
  /** A division control: `[data-param="division.regions"]`. */
  division: (name: string) => `[data-param="division.${name}"]`,
  /** The |V| the division produced, next to the |V| control. */
  regionsProduced: `[data-role="regions-produced"]`,
  method: `select[data-setting="method"]`,
  compare: `select[data-setting="compare"]`,
  target: `select[data-setting="target"]`,
  /** Free-text class name; Enter applies it. */
  targetName: `input[data-setting="target_name"]`,
  slider: (key: "step" | "opacity") => `input[data-setting="${key}"]`,
  yFit: `input[data-setting="y_fit"]`,
  stop: `button[data-action="stop"]`,
  reset: `button[data-action="reset"]`,
  status: `[data-role="status"]`,
  progress: `progress[data-role="progress"]`,
  /** Shown while the results are from an older run. */
  stale: `[data-role="stale"]`,
  /** Shown when the explained class has near-zero probability on the full photo. */
  warning: `[data-role="warning"]`,
  /** The plotly div of the curves: per method an insertion trace then a deletion trace. */
  curves: `[data-role="curves"]`,
  /** Canvas with the photo and the method's map overlaid; `[data-role="map"][data-slot="1"]` the compared one. */
  map: `canvas[data-role="map"]`,
  /** Colour bar of each map, with its scale in `data-min` / `data-max`. */
  colorbar: `[data-role="colorbar"]`,
  /** Canvas with the image revealed up to the selected step. */
  reveal: `canvas[data-role="reveal"]`,
  metrics: `table[data-role="metrics"]`,
  /** The thumbnail strip; each photo is a button `[data-photo="i"]`, the current one has aria-pressed="true". */
  photos: `[data-role="photos"]`,
  photo: (i: number) => `[data-photo="${i}"]`,
  /**
   * The group viewer (hidden when the shown result has no groups). It carries `data-highlight`
   * (the highlighted group's rank, 0 = highest score), `data-group-index` (its index in the
   * method's list), `data-outline` (outline pixels drawn) and `data-count`.
   */
  groups: `[data-role="groups"]`,
  /** Canvas with the photo, the highlighted group outlined, the rest dimmed. */
  groupCanvas: `canvas[data-role="group-canvas"]`,
  /** The ranked list (role listbox; arrow keys move the highlight); each group `[data-group="rank"]`. */
  groupList: `[data-role="group-list"]`,
  group: (rank: number) => `[data-group="${rank}"]`,
  /** Slider over the ranks. */
  groupSlider: `input[data-setting="group"]`,
} as const;
