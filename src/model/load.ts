import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type CardPathOptions, type ModelCard, readLabels, readModelCard, resolveCardPath } from "./card";
import { createOnnxModel, type LoadedModel, ModelError, type OnnxModelOptions } from "./onnx";
import { DEFAULT_DOWNLOAD_CAP_BYTES, DOWNLOAD_CAP, MODEL_REGISTRY, type RegistryEntry, registryUrl } from "./registry";

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends OnnxModelOptions, CardPathOptions {
  /** Use this card instead of the `<name>.json` found beside the model. */
  readonly card?: ModelCard;
  /** Folders searched for `<name>.json` (default: $LIMA_XAI_MODELS, path-list separated). */
  readonly searchPaths?: readonly string[];
  /** Download cache (default: $LIMA_XAI_CACHE, else $XDG_CACHE_HOME/lima-xai/models, else ~/.cache/lima-xai/models). */
  readonly cacheDir?: string;
  /** Allow downloading registry models (default true). */
  readonly download?: boolean;
  /** Called with a line of text while downloading: the start, then each 10 % (or 5 MB when the size is unknown). */
  readonly onDownload?: (message: string) => void;
  /** Base URL of the registry's files, replacing the ONNX Model Zoo's (default $LIMA_XAI_REGISTRY_URL, else the zoo): a mirror, or a local server. */
  readonly registryUrl?: string;
  /** Give up when the server has not answered (connected and sent its headers) within this time (default 30 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Give up when no byte has arrived for this long (default 30 000 ms). */
  readonly idleTimeoutMs?: number;
  /** Give up when one file takes longer than this in all (default 600 000 ms: a server trickling bytes never passes). */
  readonly totalTimeoutMs?: number;
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

/** Whether a `--model` value is a path (an .onnx or .json file, or anything with a folder separator) rather than a name. */
export function isModelPath(spec: string): boolean {
  return /\.(onnx|json)$/i.test(spec) || spec.includes("/") || spec.includes("\\");
}

/** Where a name or path resolves: the card file, or a registry entry to download. */
export function findCard(spec: string, options: LoadModelOptions = {}): string | undefined {
  if (isModelPath(spec)) {
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
    checkModelFile(cardFile, options.card, "the card passed in");
    const classes = readLabels(options.card, path.dirname(cardFile), options);
    return createOnnxModel(cardFile, options.card, classes, options);
  }
  const card = options.card ?? readModelCard(cardFile);
  const folder = path.dirname(cardFile);
  const modelFile = resolveCardPath(card, "file", folder, options);
  if (!existsSync(modelFile)) throw new ModelError(`model card ${cardFile} names ${card.file}, which does not exist`);
  checkModelFile(modelFile, card, options.card ? "the card passed in" : `its card ${cardFile}`);
  return createOnnxModel(modelFile, card, readLabels(card, folder, options), options);
}

/** Hashes already computed, by absolute path: valid while the file keeps its size and modification time. */
const hashes = new Map<string, { readonly size: number; readonly mtimeMs: number; readonly sha256: string }>();
let filesHashed = 0;

/**
 * The sha256 (hex) of a file, computed once per (path, size, modification time): loading the same
 * model again, or hashing it for a queue run, does not read it again.
 */
export function fileSha256(file: string): string {
  const absolute = path.resolve(file);
  const { size, mtimeMs } = statSync(absolute);
  const known = hashes.get(absolute);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(absolute, "r");
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  const sha256 = hash.digest("hex");
  filesHashed++;
  hashes.set(absolute, { size, mtimeMs, sha256 });
  return sha256;
}

/** How many times {@link fileSha256} has read and hashed a file in this process (a cached answer does not count). */
export function filesHashedCount(): number {
  return filesHashed;
}

/**
 * Checks a local model file against the card's `sha256`, when the card gives one: a
 * {@link ModelError} naming the file, the expected and the actual hash, and what to do.
 */
export function checkModelFile(file: string, card: ModelCard, cardName = `the card of ${card.name}`): void {
  if (card.sha256 === undefined) return;
  const actual = fileSha256(file);
  if (actual === card.sha256.toLowerCase()) return;
  throw new ModelError(
    `model file ${file} has sha256 ${actual}, but ${cardName} expects ${card.sha256.toLowerCase()}: the file is not the one the card describes (changed, truncated or replaced). ` +
      `Put back the original file, or, if this file is meant, set "sha256" in the card to ${actual} (or remove the field)`,
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Limits of one download, from the registry entry and the options. */
interface DownloadLimits {
  /** Size the registry expects (progress), when known. */
  readonly bytes?: number;
  /** Refuse a response larger than this. */
  readonly maxBytes: number;
  readonly connectMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
}

function downloadLimits(bytes: number | undefined, o: LoadModelOptions): DownloadLimits {
  const ms = (name: "connectTimeoutMs" | "idleTimeoutMs" | "totalTimeoutMs", fallback: number) => {
    const v = o[name] ?? fallback;
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} ${v} is not allowed: use a positive number of milliseconds`);
    return v;
  };
  return {
    bytes,
    maxBytes: bytes ? Math.ceil(bytes * DOWNLOAD_CAP) : DEFAULT_DOWNLOAD_CAP_BYTES,
    connectMs: ms("connectTimeoutMs", 30_000),
    idleMs: ms("idleTimeoutMs", 30_000),
    totalMs: ms("totalTimeoutMs", 600_000),
  };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Downloads one file with a connect (headers) timeout, an idle timeout between chunks, a total
 * timeout and a size cap, reporting progress; the bytes must have the expected sha256. Every
 * failure is a {@link ModelError} naming the file, the URL and which limit was hit.
 */
async function fetchChecked(url: string, expected: string, what: string, limits: DownloadLimits, onDownload?: (message: string) => void): Promise<Uint8Array> {
  const controller = new AbortController();
  let why = "";
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number, reason: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => ((why = reason), controller.abort()), ms);
  };
  const total = setTimeout(() => ((why = `it took longer than ${limits.totalMs} ms (totalTimeoutMs)`), controller.abort()), limits.totalMs);
  const fail = (reason: string) => new ModelError(`cannot download ${what} from ${url}: ${reason}`);
  let received = 0;
  try {
    arm(limits.connectMs, `the server did not answer within ${limits.connectMs} ms (connectTimeoutMs)`);
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok) throw fail(`HTTP ${response.status}`);
    const announced = Number(response.headers.get("content-length") ?? NaN);
    const cap = `the ${limits.maxBytes}-byte cap (${limits.bytes ? `${DOWNLOAD_CAP} × the registry's ${limits.bytes} bytes` : "no size in the registry"}); refusing it`;
    if (announced > limits.maxBytes) throw fail(`the server announces ${announced} bytes, more than ${cap}`);
    if (!response.body) throw fail("the response has no body");
    const size = limits.bytes ?? (announced > 0 ? announced : undefined);
    const chunks: Uint8Array[] = [];
    const reader = response.body.getReader();
    let reported = 0;
    for (;;) {
      arm(limits.idleMs, `no data arrived for ${limits.idleMs} ms (idleTimeoutMs) after ${received} bytes`);
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      if (received > limits.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw fail(`the server sent more than ${cap}`);
      }
      chunks.push(value);
      const step = size ? Math.floor((10 * received) / size) : Math.floor(received / 5e6);
      if (step > reported) {
        reported = step;
        onDownload?.(`downloading ${what}: ${size ? `${Math.min(100, Math.round((100 * received) / size))}% (${mb(received)} of ${mb(size)})` : mb(received)}`);
      }
    }
    const bytes = Buffer.concat(chunks);
    const got = sha256(bytes);
    if (got !== expected) throw new ModelError(`downloaded ${what} has sha256 ${got}, expected ${expected}; refusing to use it`);
    return bytes;
  } catch (error) {
    if (error instanceof ModelError) throw error;
    if (why) throw fail(`${why}; try again, or put the files in a folder named by LIMA_XAI_MODELS`);
    const cause = (error as Error & { cause?: Error }).cause?.message;
    throw fail(`${(error as Error).message}${cause ? ` (${cause})` : ""} (no network? put the files in a folder named by LIMA_XAI_MODELS)`);
  } finally {
    clearTimeout(timer);
    clearTimeout(total);
  }
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
  const base = options.registryUrl ?? process.env.LIMA_XAI_REGISTRY_URL;
  options.onDownload?.(`downloading ${name} (${entry.bytes ? mb(entry.bytes) : "size unknown"}) into ${dir}`);
  const model = await fetchChecked(registryUrl(entry.url, base), entry.sha256, `model ${name}`, downloadLimits(entry.bytes, options), options.onDownload);
  writeAtomic(path.join(dir, `${name}.onnx`), model);
  const labelsFile = path.join(dir, "imagenet-synset.txt");
  if (!existsSync(labelsFile) || sha256(readFileSync(labelsFile)) !== entry.labelsSha256) {
    writeAtomic(labelsFile, await fetchChecked(registryUrl(entry.labelsUrl, base), entry.labelsSha256, "labels", downloadLimits(entry.labelsBytes, options), options.onDownload));
  }
  const card: ModelCard = { ...entry.card, file: `${name}.onnx`, sha256: entry.sha256, labels: "imagenet-synset.txt" };
  const cardFile = path.join(dir, `${name}.json`);
  writeAtomic(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  return cardFile;
}

/**
 * The ONNX file a model spec loads (after {@link loadModel} has fetched a registry model into the
 * cache): what a queue run hashes so that every worker checks it runs the very same model.
 */
export function modelFileOf(spec: string, options: LoadModelOptions = {}): string {
  const cardFile = findCard(spec, options);
  if (!cardFile) throw new ModelError(`model ${spec} is neither a path nor in ${[...(options.searchPaths ?? envSearchPaths()), options.cacheDir ?? defaultCacheDir()].join(", ")}; load it once first`);
  if (/\.onnx$/i.test(cardFile)) return cardFile;
  return resolveCardPath(readModelCard(cardFile), "file", path.dirname(cardFile), options);
}

