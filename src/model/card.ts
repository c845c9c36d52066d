import { readFileSync } from "node:fs";
import path from "node:path";

/** Resize modes a card may name (METHOD.md §1). */
export const RESIZE_MODES = ["stretch", "shorter-side-256-center-crop"] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

/** What happens to a photo before it reaches the model. */
export interface Preprocessing {
  /** Model input size as [height, width]. */
  readonly size: readonly [number, number];
  readonly resize: ResizeMode;
  /** Channel order the model expects. */
  readonly channels: "RGB" | "BGR";
  /** Multiplies 0..255 values first. */
  readonly scale: number;
  /** Subtracted per channel after scaling, in the order named by `channels`. */
  readonly mean: readonly [number, number, number];
  /** Divides per channel after the mean, in the order named by `channels`. */
  readonly std: readonly [number, number, number];
}

/**
 * A model card (`<name>.json` beside the `.onnx`), the format of ../shared/README.md:
 * file, sha256, input name, size, resize mode, channels, scale, mean/std, output name,
 * outputKind and labels file. `features` optionally names a penultimate-embedding output
 * used by the effectiveness score (METHOD.md §3).
 */
export interface ModelCard extends Preprocessing {
  readonly name: string;
  readonly file: string;
  readonly sha256?: string;
  readonly input: string;
  readonly output: string;
  readonly outputKind: "logits" | "probabilities";
  readonly labels?: string;
  readonly features?: string;
}

/** Card problems: every problem found is reported at once. */
export class ModelCardError extends Error {
  override name = "ModelCardError";
}

type Json = Record<string, unknown>;

function checkTriple(card: Json, key: string, problems: string[]): void {
  const v = card[key];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    problems.push(`"${key}" must be three numbers, got ${JSON.stringify(v)}`);
  }
}

function checkString(card: Json, key: string, problems: string[]): void {
  if (typeof card[key] !== "string" || card[key] === "") problems.push(`"${key}" must be a non-empty string, got ${JSON.stringify(card[key])}`);
}

/** Validates a parsed card and fills documented defaults (scale 1, mean 0, std 1, stretch, RGB). */
export function parseModelCard(raw: unknown, where = "model card"): ModelCard {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ModelCardError(`${where}: expected a JSON object`);
  const card: Json = { resize: "stretch", channels: "RGB", scale: 1, mean: [0, 0, 0], std: [1, 1, 1], outputKind: "logits", ...raw };
  const problems: string[] = [];
  for (const key of ["name", "file", "input", "output"]) checkString(card, key, problems);
  const size = card.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((x) => Number.isInteger(x) && x > 0)) {
    problems.push(`"size" must be [height, width] positive integers, got ${JSON.stringify(size)}`);
  }
  if (!RESIZE_MODES.includes(card.resize as ResizeMode)) problems.push(`"resize" ${JSON.stringify(card.resize)} is not one of ${RESIZE_MODES.join(", ")}`);
  if (card.channels !== "RGB" && card.channels !== "BGR") problems.push(`"channels" ${JSON.stringify(card.channels)} is not one of RGB, BGR`);
  if (typeof card.scale !== "number" || !(card.scale > 0)) problems.push(`"scale" must be a positive number, got ${JSON.stringify(card.scale)}`);
  checkTriple(card, "mean", problems);
  checkTriple(card, "std", problems);
  if (Array.isArray(card.std) && card.std.some((s) => s === 0)) problems.push(`"std" must not contain 0`);
  if (card.sha256 !== undefined && (typeof card.sha256 !== "string" || !/^[0-9a-f]{64}$/i.test(card.sha256))) {
    problems.push(`"sha256" must be the file's SHA-256 as 64 hexadecimal digits, got ${JSON.stringify(card.sha256)}`);
  }
  if (card.outputKind !== "logits" && card.outputKind !== "probabilities") {
    problems.push(`"outputKind" ${JSON.stringify(card.outputKind)} is not one of logits, probabilities`);
  }
  if (problems.length > 0) throw new ModelCardError(`${where}: ${problems.join("; ")}`);
  return card as unknown as ModelCard;
}

/** Reads and validates `<name>.json`. */
export function readModelCard(file: string): ModelCard {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ModelCardError(`cannot read model card ${file}: ${(error as Error).message}`);
  }
  return parseModelCard(raw, `model card ${file}`);
}

/** One class of a labels file: `nXXXXXXXX name, other names` or a bare name per line. */
export interface ClassLabel {
  /** WordNet id when the line starts with one, else undefined. */
  readonly wnid?: string;
  /** The display name (first name after the id). */
  readonly label: string;
}

/** Parses a labels file, one class per line (line i = class i). */
export function parseLabels(text: string): ClassLabel[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const m = /^(n\d{8})\s+(.*)$/.exec(line.trim());
      const rest = m ? m[2] : line.trim();
      return { wnid: m?.[1], label: rest.split(",")[0].trim() };
    });
}

/** Options of {@link resolveCardPath} and {@link readLabels}. */
export interface CardPathOptions {
  /**
   * Let the card's `file` and `labels` name paths outside the card's folder (default false: a card
   * from elsewhere must not make the library read `../../etc/passwd`). The CLI flag is
   * `--allow-outside-paths`.
   */
  readonly allowOutsidePaths?: boolean;
}

/**
 * Resolves a path the card names (`file` or `labels`) against the card's folder; one that lands
 * outside the folder (`..`, an absolute path elsewhere) is a {@link ModelCardError} naming the
 * path and the flag that allows it, unless `allowOutsidePaths` is set.
 */
export function resolveCardPath(card: ModelCard, field: "file" | "labels", folder: string, options: CardPathOptions = {}): string {
  const value = String(card[field]);
  const base = path.resolve(folder);
  const resolved = path.resolve(base, value);
  const relative = path.relative(base, resolved);
  const outside = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (outside && !options.allowOutsidePaths) {
    throw new ModelCardError(
      `model card ${card.name}: "${field}" ${JSON.stringify(value)} resolves to ${resolved}, outside the card's folder ${base}; ` +
        `move the file into that folder, or pass --allow-outside-paths (option allowOutsidePaths) to allow paths outside it`,
    );
  }
  return resolved;
}

/**
 * Reads the card's labels file (relative to the card's folder, and inside it unless
 * `allowOutsidePaths`), or undefined when it names none.
 */
export function readLabels(card: ModelCard, folder: string, options: CardPathOptions = {}): ClassLabel[] | undefined {
  if (!card.labels) return undefined;
  const file = resolveCardPath(card, "labels", folder, options);
  try {
    return parseLabels(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ModelCardError(`cannot read labels file ${file} named by card ${card.name}: ${(error as Error).message}`);
  }
}
