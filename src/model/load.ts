import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ModelCard, readLabels, readModelCard } from "./card";
import { createOnnxModel, type LoadedModel, ModelError, type OnnxModelOptions } from "./onnx";
import { MODEL_REGISTRY, type RegistryEntry } from "./registry";

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends OnnxModelOptions {
  /** Use this card instead of the `<name>.json` found beside the model. */
  readonly card?: ModelCard;
  /** Folders searched for `<name>.json` (default: $LIMA_XAI_MODELS, path-list separated). */
  readonly searchPaths?: readonly string[];
  /** Download cache (default: $LIMA_XAI_CACHE, else $XDG_CACHE_HOME/lima-xai/models, else ~/.cache/lima-xai/models). */
  readonly cacheDir?: string;
  /** Allow downloading registry models (default true). */
  readonly download?: boolean;
  /** Called with a line of text while downloading. */
  readonly onDownload?: (message: string) => void;
}

/** The user cache folder for downloaded models. */
export function defaultCacheDir(): string {
  if (process.env.LIMA_XAI_CACHE) return process.env.LIMA_XAI_CACHE;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "lima-xai", "models");
}

function envSearchPaths(): string[] {
  return (process.env.LIMA_XAI_MODELS ?? "").split(path.delimiter).filter((p) => p !== "");
}

/** Where a name or path resolves: the card file, or a registry entry to download. */
export function findCard(spec: string, options: LoadModelOptions = {}): string | undefined {
  if (/\.(onnx|json)$/i.test(spec) || spec.includes("/") || spec.includes("\\")) {
    const file = path.resolve(spec);
    if (!existsSync(file)) throw new ModelError(`model file ${spec} does not exist`);
    const card = file.replace(/\.onnx$/i, ".json");
    if (options.card) return file;
    if (!existsSync(card)) throw new ModelError(`model ${spec} has no card ${path.basename(card)} beside it (see the README for the card format), or pass a card`);
    return card;
  }
  const folders = [...(options.searchPaths ?? envSearchPaths()), options.cacheDir ?? defaultCacheDir()];
  for (const folder of folders) {
    const card = path.join(folder, `${spec}.json`);
    if (existsSync(card)) return card;
  }
  return undefined;
}

/**
 * Loads a classifier by path (`.onnx` with `<name>.json` beside it, or the `.json` card) or by
 * name: `LIMA_XAI_MODELS` folders first, then the user cache, then the built-in registry of
 * ONNX Model Zoo models (downloaded once, sha256 checked).
 */
export async function loadModel(spec: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  let cardFile = findCard(spec, options);
  if (!cardFile) cardFile = await downloadRegistryModel(spec, options);
  if (options.card && /\.onnx$/i.test(cardFile)) {
    const classes = readLabels(options.card, path.dirname(cardFile));
    return createOnnxModel(cardFile, options.card, classes, options);
  }
  const card = options.card ?? readModelCard(cardFile);
  const folder = path.dirname(cardFile);
  const modelFile = path.resolve(folder, card.file);
  if (!existsSync(modelFile)) throw new ModelError(`model card ${cardFile} names ${card.file}, which does not exist`);
  return createOnnxModel(modelFile, card, readLabels(card, folder), options);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function fetchChecked(url: string, expected: string, what: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelError(`cannot download ${what} from ${url}: ${(error as Error).message} (no network? put the files in a folder named by LIMA_XAI_MODELS)`);
  }
  if (!response.ok) throw new ModelError(`cannot download ${what} from ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const got = sha256(bytes);
  if (got !== expected) throw new ModelError(`downloaded ${what} has sha256 ${got}, expected ${expected}; refusing to use it`);
  return bytes;
}

function writeAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.part`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/** Downloads a registry model and its labels into the cache, writes its card, returns the card path. */
async function downloadRegistryModel(name: string, options: LoadModelOptions): Promise<string> {
  const entry: RegistryEntry | undefined = MODEL_REGISTRY[name];
  if (!entry) {
    const where = [...(options.searchPaths ?? envSearchPaths()), options.cacheDir ?? defaultCacheDir()].join(", ");
    throw new ModelError(
      `unknown model ${name}: no ${name}.json in ${where || "(no folders)"}, and it is not a built-in name (${Object.keys(MODEL_REGISTRY).join(", ")})`,
    );
  }
  if (options.download === false) throw new ModelError(`model ${name} is not in the cache and downloads are disabled`);
  const dir = options.cacheDir ?? defaultCacheDir();
  mkdirSync(dir, { recursive: true });
  options.onDownload?.(`downloading ${name} (${entry.bytes ? `${(entry.bytes / 1e6).toFixed(1)} MB` : "size unknown"}) into ${dir}`);
  const model = await fetchChecked(entry.url, entry.sha256, `model ${name}`);
  writeAtomic(path.join(dir, `${name}.onnx`), model);
  const labelsFile = path.join(dir, "imagenet-synset.txt");
  if (!existsSync(labelsFile) || sha256(readFileSync(labelsFile)) !== entry.labelsSha256) {
    writeAtomic(labelsFile, await fetchChecked(entry.labelsUrl, entry.labelsSha256, "labels"));
  }
  const card: ModelCard = { ...entry.card, file: `${name}.onnx`, sha256: entry.sha256, labels: "imagenet-synset.txt" };
  const cardFile = path.join(dir, `${name}.json`);
  writeAtomic(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  return cardFile;
}
