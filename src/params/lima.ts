/**
 * The parameter schema of LIMA/SMDL and of the commands, as plain data (issue 10). Every default
 * and range of these parameters lives here and nowhere else: the CLI flags and `--help` of
 * `explain` and `eval` (src/params/flags.ts), the library's option resolution (Explainer, the
 * method registry), the kernel-side widget and the explorer page ({@link schemaForFrontEnd}).
 */
import { DEFAULT_DIVISION, type DivisionMethod, type DivisionStrategy, NAMED_DIVISIONS } from "../division/registry";
import { type Device, DEVICES } from "../model/devices";
import { REGIONS } from "./regions";
import { type ChoiceOf, type ChoiceParam, choiceParam, type NumberParam, type ParamSpec } from "./types";

export { REGIONS };

/** The four score weights (METHOD.md §3, LIMA eq. 8 / SMDL eq. 9). */
export interface LambdaValues {
  readonly cons: number;
  readonly colla: number;
  readonly conf: number;
  readonly eff: number;
}

/**
 * Named λ presets:
 * - `paper`: the four terms with the weights of the LIMA paper (λ 20, 5, 0.05, 0.01);
 * - `reference`: the authors' classifier code (models/submodular_single_modal.py in
 *   RuoyuChen10/LIMA): three terms, λ 20, 5, 0.05, no effectiveness term.
 */
export const PRESETS: Readonly<Record<"paper" | "reference", LambdaValues>> = Object.freeze({
  paper: Object.freeze({ cons: 20, colla: 5, conf: 0.05, eff: 0.01 }),
  reference: Object.freeze({ cons: 20, colla: 5, conf: 0.05, eff: 0 }),
});
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * The preset in force when none is named: the more faithful one (higher pixel insertion AUC) in
 * our measurement on the shared ImageNet photos (README "Presets": LIMA on 8 photos with
 * squeezenet, insertion 0.657 for paper vs 0.616 for reference).
 */
export const DEFAULT_PRESET: PresetName = "paper";

/** The weights used when nothing is named: {@link DEFAULT_PRESET}'s. */
export const DEFAULT_LAMBDAS: LambdaValues = PRESETS[DEFAULT_PRESET];

export const PRESET: ChoiceParam = {
  kind: "choice", name: "preset", label: "preset", default: DEFAULT_PRESET, choices: PRESET_NAMES,
  meaning: "λ preset: paper (four terms, the paper's λ) or reference (the authors' classifier code: three terms); explicit λ flags override it",
};

const lambda = (name: keyof LambdaValues, label: string, meaning: string): NumberParam => ({
  kind: "number", name, label, group: "lambdas", flag: `lambda-${name}`, default: DEFAULT_LAMBDAS[name], min: 0, max: 1000, step: name === "cons" || name === "colla" ? 0.5 : 0.01, meaning,
});

/** λ_cons, λ_colla, λ_conf, λ_eff: nested under `lambdas` in every options object. */
export const LAMBDAS: readonly NumberParam[] = [
  lambda("cons", "λ_cons", "weight of the consistency term: how close S's prediction is to the target"),
  lambda("colla", "λ_colla", "weight of the collaboration term: how far the rest of the image (V∖S) is from the target"),
  lambda("conf", "λ_conf", "weight of the confidence term: how certain the model is on S"),
  lambda("eff", "λ_eff", "weight of the effectiveness term: how diverse S's regions are (0 skips the singleton passes)"),
];

export const NP: NumberParam = {
  kind: "number", name: "np", label: "n_p", default: 8, min: 1, max: REGIONS.max, integer: true, unit: "regions",
  meaning: "pending negatives of the bidirectional search: re-scored for the reverse set each step (at most |V|)",
};

export const SEARCH = choiceParam({
  kind: "choice", name: "search", label: "search", default: "bidirectional", choices: ["bidirectional", "greedy", "fast"],
  meaning: "bidirectional (LIMA Algorithm 1), plain greedy (SMDL Algorithm 1) or fast (reverse greedy from the full image, screening candidates by the image of what stays; about a fifth of the passes; its order follows λ colla and λ eff, hardly λ cons or λ conf)",
});

/** Search strategies (METHOD.md §4): the choices of {@link SEARCH}. */
export type SearchKind = ChoiceOf<typeof SEARCH>;

/**
 * The division choice over some strategies of the division registry: their names, the default
 * strategy when it is among them (else the first), and a meaning listing each with its hint.
 */
export function divisionChoice(strategies: readonly Pick<DivisionStrategy<DivisionMethod>, "name" | "title" | "hint">[]): ChoiceParam {
  const choices = strategies.map((d) => d.name);
  return {
    kind: "choice", name: "division", label: "division", default: choices.includes(DEFAULT_DIVISION.method) ? DEFAULT_DIVISION.method : choices[0], choices,
    meaning: `how the image is cut into regions: ${strategies.map((d) => `${d.name} = ${d.title.replace(/ \(.*\)$/, "")}${d.hint ? ` (${d.hint})` : ""}`).join("; ")}`,
  };
}

/**
 * Divisions a user picks by name on the command line: the division registry's strategies marked
 * `byName` (src/division/registry.ts; the others, masks and labels, come from code or
 * `--regions-from`). Each strategy's own parameters (|V|, felzenszwalb's scale…) are in its entry.
 */
export const DIVISION: ChoiceParam = divisionChoice(NAMED_DIVISIONS);

export const CONFIDENCE = choiceParam({
  kind: "choice", name: "confidence", label: "confidence", default: "entropy", choices: ["entropy", "edl"],
  meaning: "confidence term: entropy-based (classifiers) or evidential (SMDL eq. 4)",
});

/** Confidence terms: the choices of {@link CONFIDENCE}. */
export type ConfidenceKind = ChoiceOf<typeof CONFIDENCE>;

/** Pixel value of removed pixels or regions; shared by every method that removes pixels. */
export const BASELINE: NumberParam = {
  kind: "number", name: "baseline", label: "baseline", default: 0, min: 0, max: 255, unit: "pixel value",
  meaning: "value of removed pixels (0 = black)",
};

/** Seed of every method that samples. */
export const SEED: NumberParam = {
  kind: "number", name: "seed", label: "seed", default: 0, min: 0, max: 2 ** 31 - 1, integer: true,
  meaning: "seed of the random generator (results are reproducible for a given seed)",
};

/**
 * Images per model call. `default` is the cpu one; without the flag, explain and eval take the
 * device's (src/cli/batch.ts: SESSION_DEFAULTS.batchSize of src/model/onnx.ts, 128 on cuda).
 */
export const BATCH: NumberParam = {
  kind: "number", name: "batch", label: "batch", default: 32, min: 1, max: 4096, integer: true, unit: "images",
  meaning: "images per model call; without it, the device's default (more on cuda, which fills the device better)",
};

export const DEVICE: ChoiceParam<Device> = {
  kind: "choice", name: "device", label: "device", default: DEVICES[0], choices: DEVICES,
  meaning: "where the model runs",
};

/**
 * The division options a caller names: the strategy, then every named strategy's own parameters
 * (|V|; felzenszwalb's scale, σ, min size), each once, in registry order.
 */
export const DIVISION_PARAMS: readonly ParamSpec[] = [DIVISION, ...new Set(NAMED_DIVISIONS.flatMap((d) => d.params))];

/** LIMA's own parameters (bidirectional search). */
export const LIMA_PARAMS: readonly ParamSpec[] = [PRESET, ...LAMBDAS, NP, SEARCH, CONFIDENCE, BASELINE];

/** SMDL's (plain greedy): LIMA's without the search choice and n_p. */
export const SMDL_PARAMS: readonly ParamSpec[] = [PRESET, ...LAMBDAS, CONFIDENCE, BASELINE];

/**
 * The λ in force: the named preset's weights, with any weight given explicitly on top. A weight is
 * explicit when the caller named it (the defaults of the λ specs are the default preset's).
 */
export function presetLambdas(preset: string | undefined, explicit: Partial<LambdaValues> = {}): LambdaValues {
  const name = preset ?? DEFAULT_PRESET;
  if (!Object.hasOwn(PRESETS, name)) throw new RangeError(`preset ${JSON.stringify(name)} is not allowed: use one of ${PRESET_NAMES.join(", ")}`);
  const defined = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  return { ...PRESETS[name as PresetName], ...defined };
}

/** The JSON form of a spec list for the explorer page and the widget (no functions, no classes). */
export interface FrontEndSchema {
  readonly settings: readonly ParamSpec[];
  readonly presets: Readonly<Record<string, LambdaValues>>;
  readonly defaultPreset: string;
}

/**
 * A front end's division controls over some strategies: the choice ({@link divisionChoice}), then
 * each strategy's own parameters once, each marked with the strategies it applies to (`when`), so
 * that a page shows only the chosen strategy's controls.
 */
export function divisionControls(strategies: readonly Pick<DivisionStrategy<DivisionMethod>, "name" | "title" | "hint" | "params">[]): ParamSpec[] {
  const params = [...new Set(strategies.flatMap((d) => d.params))];
  return [divisionChoice(strategies), ...params.map((p): ParamSpec => ({ ...p, when: { division: strategies.filter((d) => d.params.includes(p)).map((d) => d.name) } }))];
}

/**
 * Everything the front end needs to build its controls (ranges, steps, defaults, tooltips) and to
 * check a setting: the division controls ({@link divisionControls}) and LIMA parameters, and the presets. Plain JSON.
 */
export function schemaForFrontEnd(): FrontEndSchema {
  return JSON.parse(JSON.stringify({ settings: [...divisionControls(NAMED_DIVISIONS), ...LIMA_PARAMS], presets: PRESETS, defaultPreset: DEFAULT_PRESET })) as FrontEndSchema;
}
