/**
 * A queue worker (issue 17): takes (photo, method, settings) jobs off the BullMQ queue and runs
 * them with the same per-pair code as a local `lima-xai eval` (src/eval/runner.ts evalPlan,
 * prepareImage, evaluatePair), returning the same record. Each model is loaded once and kept.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { RedisOptions } from "ioredis";
import { ImageError, loadImage } from "../../image/load";
import { fileSha256, isModelPath, loadModel, modelFileOf } from "../../model/load";
import type { Device } from "../../model/devices";
import type { LoadedModel } from "../../model/onnx";
import { type EvalPlan, evalPlan, evaluatePair, type PreparedImage, prepareImage } from "../runner";
import { decodeJobData, type EvalJobData, type EvalJobResult, type ModelRef, QUEUE_NAME, sha256Hex } from "./job";

/** Options of {@link startEvalWorker}. */
export interface EvalWorkerOptions {
  readonly connection: RedisOptions;
  /** Jobs run at once by this worker (default 1). */
  readonly concurrency?: number;
  /** Where models run (default "cpu"). */
  readonly device?: Device;
  /** Images per model call (default: the model loader's default). */
  readonly batchSize?: number;
  /**
   * How long a job's lock lasts without renewal, and how often this worker looks for jobs whose
   * worker died (BullMQ's lockDuration and stalledInterval; default 30000 ms).
   */
  readonly stalledMs?: number;
  /** How often a job may be taken back from a dead worker before it fails (BullMQ's maxStalledCount; default 2). */
  readonly maxStalled?: number;
  /** This worker's name, as `lima-xai eval` counts live workers (default host:pid). */
  readonly name?: string;
  /** Lines about each job (start, done, failed). */
  readonly log?: (line: string) => void;
  /** Model download messages. */
  readonly onDownload?: (message: string) => void;
}

/** A running worker. */
export interface EvalWorker {
  readonly name: string;
  /** Jobs this worker finished. */
  readonly completed: () => number;
  /**
   * Stops taking jobs; waits for the jobs in flight to finish (`force`: drops them instead, and
   * BullMQ's stalled-job check hands them to another worker) and closes the connections. The
   * loaded models are disposed.
   */
  close(force?: boolean): Promise<void>;
}

/** Models by sha256, each loaded once and kept for the worker's life. */
class ModelCache {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  constructor(private readonly options: Pick<EvalWorkerOptions, "device" | "batchSize" | "onDownload">) {}

  /**
   * The model of a job: by the coordinator's path where it exists on this machine, else by the
   * card's name (LIMA_XAI_MODELS folders, the cache, the registry: downloaded once); its ONNX
   * file's sha256 must equal the job's.
   */
  get(ref: ModelRef): Promise<LoadedModel> {
    let model = this.models.get(ref.sha256);
    if (!model) {
      model = this.load(ref);
      this.models.set(ref.sha256, model);
      model.catch(() => this.models.delete(ref.sha256)); // a failed load is tried again by the next job
    }
    return model;
  }

  private async load(ref: ModelRef): Promise<LoadedModel> {
    const isPath = isModelPath(ref.spec);
    const spec = isPath && existsSync(ref.spec) ? ref.spec : isPath ? ref.name : ref.spec;
    const options = { device: this.options.device, batchSize: this.options.batchSize, onDownload: this.options.onDownload };
    const model = await loadModel(spec, options);
    const file = modelFileOf(spec, options);
    const got = fileSha256(file);
    if (got !== ref.sha256) {
      await model.dispose();
      throw new UnrecoverableError(`model ${ref.name} on this worker (${path.resolve(file)}) has sha256 ${got}; the job needs ${ref.sha256}: give this worker the same model file`);
    }
    return model;
  }

  async dispose(): Promise<void> {
    const all = [...this.models.values()];
    this.models.clear();
    await Promise.all(all.map((m) => m.then((x) => x.dispose(), () => undefined)));
  }
}

/** The last few prepared photos, so a photo's methods share its prediction and division. */
class PreparedCache {
  private readonly entries = new Map<string, Promise<PreparedImage>>();
  constructor(private readonly size: number) {}

  get(key: string, make: () => Promise<PreparedImage>): Promise<PreparedImage> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = make();
      this.entries.set(key, entry);
      entry.catch(() => this.entries.delete(key));
      while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    }
    return entry;
  }
}

/**
 * Runs one job: checks the photo's bytes against its hash, the worker's own settings against the
 * coordinator's, decodes the photo for the model, prepares it and evaluates the pair. Errors no
 * retry can mend (a corrupt or altered photo, other settings, an unknown field) are BullMQ
 * UnrecoverableErrors: the job fails at once instead of using up its tries.
 */
async function runJob(data: EvalJobData, models: ModelCache, prepared: PreparedCache, name: string): Promise<EvalJobResult> {
  const t0 = performance.now();
  const bytes = Buffer.from(data.photo, "base64");
  const hash = sha256Hex(bytes);
  if (hash !== data.photoSha256) throw new UnrecoverableError(`photo ${data.image}: its bytes have sha256 ${hash}, the job says ${data.photoSha256} (altered on the way)`);
  let plan: EvalPlan;
  try {
    plan = evalPlan({ methods: [data.method], targetMode: data.targetMode, seed: data.seed, methodOptions: data.methodOptions, metrics: data.metrics, metricNames: data.metricNames });
  } catch (error) {
    throw new UnrecoverableError(`${data.image} ${data.method}: this worker cannot run the job: ${(error as Error).message}`);
  }
  const mine = JSON.stringify(plan.settings.get(data.method));
  if (mine !== JSON.stringify(data.settings)) {
    throw new UnrecoverableError(`${data.image} ${data.method}: this worker resolves the settings to ${mine}, the coordinator to ${JSON.stringify(data.settings)}; run the same lima-xai version on both`);
  }
  const model = await models.get(data.model);
  const annotation = data.annotation === undefined ? undefined : new Uint8Array(Buffer.from(data.annotation, "base64"));
  const key = JSON.stringify([data.photoSha256, data.model.sha256, data.targetMode, data.trueClass ?? null, data.methodOptions.division ?? null, data.metrics.baseline ?? 0, data.seed, data.annotation === undefined ? null : sha256Hex(data.annotation)]);
  const p = await prepared.get(key, async () => {
    let image;
    try {
      image = await loadImage(bytes, model.card);
    } catch (error) {
      if (error instanceof ImageError || error instanceof RangeError || error instanceof TypeError) throw new UnrecoverableError(`photo ${data.image} cannot be read: ${(error as Error).message}`);
      throw new Error(`photo ${data.image} cannot be read: ${(error as Error).message}`);
    }
    return prepareImage(model, plan, { name: data.image, trueClass: data.trueClass, image }, { annotation });
  });
  const record = await evaluatePair(model, plan, { ...p, name: data.image }, data.method);
  return { record, workerMs: Math.round((performance.now() - t0) * 10) / 10, worker: name };
}

/** Starts a worker on the queue; it runs until {@link EvalWorker.close}. */
export function startEvalWorker(o: EvalWorkerOptions): EvalWorker {
  const name = o.name ?? `${os.hostname()}:${process.pid}`;
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency ${concurrency} is not allowed: use a whole number ≥ 1`);
  const stalledMs = o.stalledMs ?? 30_000;
  if (!Number.isFinite(stalledMs) || stalledMs < 100) throw new RangeError(`stalledMs ${stalledMs} is not allowed: use a number of milliseconds ≥ 100`);
  const log = o.log ?? (() => undefined);
  const models = new ModelCache(o);
  const prepared = new PreparedCache(Math.max(2, 2 * concurrency));
  let completed = 0;
  const worker = new Worker<EvalJobData, EvalJobResult>(
    QUEUE_NAME,
    async (job: Job<EvalJobData, EvalJobResult>) => {
      let data: EvalJobData;
      try {
        data = decodeJobData(job.data);
      } catch (error) {
        throw new UnrecoverableError((error as Error).message);
      }
      log(`start ${job.id} ${data.image} ${data.method} (try ${job.attemptsMade + 1})`);
      const result = await runJob(data, models, prepared, name);
      log(`done ${job.id} ${data.image} ${data.method} in ${result.workerMs} ms`);
      completed++;
      return result;
    },
    {
      connection: o.connection,
      concurrency,
      name,
      lockDuration: stalledMs,
      stalledInterval: stalledMs,
      maxStalledCount: o.maxStalled ?? 2,
      autorun: true,
    },
  );
  worker.on("failed", (job, error) => log(`failed ${job?.id ?? "?"} ${job?.data?.image ?? ""} ${job?.data?.method ?? ""}: ${error.message}`));
  worker.on("error", (error) => log(`error: ${error.message}`));
  return {
    name,
    completed: () => completed,
    async close(force = false) {
      await worker.close(force);
      await models.dispose();
    },
  };
}
