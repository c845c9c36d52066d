/**
 * The job codec of queue evaluations (issue 17): what a coordinator (`lima-xai eval --queue`)
 * puts on the BullMQ queue for one (photo, method, settings) pair, what a worker returns, the
 * job id that makes a pair's job unique, and the Redis address flag.
 */
import { createHash } from "node:crypto";
import type { RedisOptions } from "ioredis";
import type { EvalMetricOptions } from "../runner";
import type { MethodOptions } from "../methods";
import type { EvalRecord } from "../records";

/** The one queue every coordinator and worker of a Redis database share. */
export const QUEUE_NAME = "lima-xai-eval";

/** The model a job needs: the spec the coordinator was given, the card's name, and the ONNX file's sha256. */
export interface ModelRef {
  /** The coordinator's `--model`: a registry or LIMA_XAI_MODELS name, or an absolute path. */
  readonly spec: string;
  /** The card's name, looked up on a worker where `spec` is a path it does not have. */
  readonly name: string;
  /** sha256 (hex) of the ONNX file; a worker refuses a model whose bytes differ. */
  readonly sha256: string;
}

/** One job: a photo's bytes and content hash, one method, and everything that shapes its numbers. */
export interface EvalJobData {
  /** Codec version (1). */
  readonly v: 1;
  /** The photo's name in the coordinator's records. */
  readonly image: string;
  /** The photo file's bytes, base64 (workers need no shared disk). */
  readonly photo: string;
  /** sha256 (hex) of the photo's bytes. */
  readonly photoSha256: string;
  readonly trueClass?: number;
  /** The object's annotation mask at model resolution (0/1 per pixel), base64, when the run has `--annotations`. */
  readonly annotation?: string;
  readonly method: string;
  readonly model: ModelRef;
  readonly targetMode: "predicted" | "true";
  readonly seed: number;
  /** The seeded method options (src/eval/runner.ts evalPlan). */
  readonly methodOptions: MethodOptions;
  readonly metrics: EvalMetricOptions;
  readonly metricNames: readonly string[];
  /** The settings the coordinator records for the method; a worker whose own resolution differs refuses the job. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** What a worker returns: the record, how long the job took on the worker, and which worker it was. */
export interface EvalJobResult {
  readonly record: EvalRecord;
  /** Wall time of the whole job on the worker (decode, model, prepare, method, metrics), ms. */
  readonly workerMs: number;
  readonly worker: string;
}

/** sha256 (hex) of bytes or a string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The job id of a pair: a hash of the photo's content, the method, the model's bytes, the target
 * mode, the true class, the settings and the annotation mask. BullMQ keeps one job per id, so a pair enqueued twice
 * (a re-run, two coordinators) is one job, and a retried job keeps its id.
 */
export function jobIdOf(d: Pick<EvalJobData, "photoSha256" | "method" | "model" | "targetMode" | "trueClass" | "settings" | "annotation">): string {
  const key = JSON.stringify([d.photoSha256, d.method, d.model.sha256, d.targetMode, d.trueClass ?? null, d.settings, ...(d.annotation === undefined ? [] : [sha256Hex(d.annotation)])]);
  return `pair-${sha256Hex(key).slice(0, 40)}`;
}

function field<T>(data: Record<string, unknown>, name: string, check: (v: unknown) => boolean, what: string): T {
  const value = data[name];
  if (!check(value)) throw new TypeError(`queue job field ${name} is ${JSON.stringify(value)?.slice(0, 60)}; expected ${what}`);
  return value as T;
}

const isString = (v: unknown) => typeof v === "string" && v !== "";
const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks a job's data field by field; a {@link TypeError} names the first bad field (e.g. a job of another lima-xai version). */
export function decodeJobData(raw: unknown): EvalJobData {
  if (!isObject(raw)) throw new TypeError(`queue job data is ${typeof raw}; expected an object`);
  const d = raw as Record<string, unknown>;
  field(d, "v", (v) => v === 1, "1 (this worker reads version 1 jobs)");
  field<string>(d, "image", isString, "the photo's name");
  field<string>(d, "photo", (v) => typeof v === "string", "the photo's bytes in base64");
  field<string>(d, "photoSha256", (v) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v), "64 hex digits");
  field(d, "trueClass", (v) => v === undefined || (Number.isInteger(v) && (v as number) >= 0), "absent or a class index");
  field(d, "annotation", (v) => v === undefined || typeof v === "string", "absent or a mask in base64");
  field<string>(d, "method", isString, "a method name");
  const model = field<Record<string, unknown>>(d, "model", isObject, "{spec, name, sha256}");
  field(model, "spec", isString, "the model's spec");
  field(model, "name", isString, "the model's name");
  field(model, "sha256", (v) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v), "64 hex digits");
  field(d, "targetMode", (v) => v === "predicted" || v === "true", "predicted or true");
  field(d, "seed", Number.isInteger, "an integer");
  field(d, "methodOptions", isObject, "an object");
  field(d, "metrics", isObject, "an object");
  field(d, "metricNames", (v) => Array.isArray(v) && v.every((x) => typeof x === "string"), "an array of metric names");
  field(d, "settings", isObject, "an object");
  return d as unknown as EvalJobData;
}

/** Checks a worker's return value. */
export function decodeJobResult(raw: unknown): EvalJobResult {
  if (!isObject(raw)) throw new TypeError(`queue job result is ${typeof raw}; expected an object`);
  const d = raw as Record<string, unknown>;
  const record = field<Record<string, unknown>>(d, "record", isObject, "an evaluation record");
  field(record, "image", isString, "the photo's name");
  field(record, "method", isString, "a method name");
  field(d, "workerMs", (v) => typeof v === "number", "a number");
  field(d, "worker", (v) => typeof v === "string", "the worker's name");
  return d as unknown as EvalJobResult;
}

/**
 * Parses `redis://[user:password@]HOST[:PORT][/DB]` (or `rediss://` for TLS) into ioredis
 * options; PORT defaults to 6379 and DB to 0. A {@link RangeError} names the bad value.
 */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`--queue ${JSON.stringify(url)} is not a URL: use redis://HOST:PORT[/DB]`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new RangeError(`--queue ${JSON.stringify(url)} has scheme ${u.protocol}; use redis://HOST:PORT[/DB] or rediss:// (TLS)`);
  const dbText = u.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new RangeError(`--queue ${JSON.stringify(url)} names database ${JSON.stringify(dbText)}; use a whole number ≥ 0 after the port, e.g. redis://host:6379/0`);
  const port = u.port === "" ? 6379 : Number(u.port);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ's workers block on Redis; their connections must retry for ever rather than fail a command.
    maxRetriesPerRequest: null,
  };
}
