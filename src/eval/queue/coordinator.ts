/**
 * The coordinator of a queue evaluation (`lima-xai eval --queue`, issue 17): instead of running
 * the pairs itself it puts those not yet in the results file on a BullMQ queue (photo bytes and
 * hash, method, settings), and writes each result as workers finish, once per pair.
 */
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Job, Queue, QueueEvents } from "bullmq";
import type { RedisOptions } from "ioredis";
import { ATTEMPTS } from "../../params/commands";
import { checkParam } from "../../params/types";
import { throwIfAborted } from "../../util/abort";
import { ResultsLock } from "../claims";
import type { EvalMethod } from "../methods";
import { appendRecord, type EvalRecord, pairKey, readRecords, repairRecords } from "../records";
import { checkImages, checkResumable, type EvaluationOptions, type EvaluationResult, evalPlan } from "../runner";
import { decodeJobResult, type EvalJobData, jobIdOf, type ModelRef, QUEUE_NAME, sha256Hex } from "./job";

/** A photo of a queue run: its bytes travel in the job. */
export interface QueueImage {
  readonly name: string;
  readonly trueClass?: number;
  /** The photo file's bytes (read when its pairs are enqueued, and again if a job has to be re-added). */
  bytes(): Promise<Uint8Array>;
  /** The object's annotation mask at model resolution (0/1 per pixel), when the run has one (RMA/RRA); it travels in the job. */
  annotation?(): Promise<Uint8Array>;
}

/** Progress of a queue run. */
export interface QueueProgress {
  readonly done: number;
  readonly total: number;
  /** Pairs that failed on every try (their error lines are among `done`). */
  readonly failed: number;
  /** Workers connected to the queue now. */
  readonly workers: number;
  /** This run's jobs being computed now. */
  readonly active: number;
}

/** Options of {@link runQueuedEvaluation}: those of a local run, with the model named for workers, and the queue's. */
export interface QueuedEvaluationOptions extends Pick<EvaluationOptions, "targetMode" | "out" | "methods" | "methodOptions" | "metrics" | "metricNames" | "seed" | "signal"> {
  /** The model's name (recorded, and checked when resuming) and how workers find it. */
  readonly model: ModelRef;
  readonly images: readonly QueueImage[];
  readonly connection: RedisOptions;
  /** Tries of a job before it is recorded as an error line (default and range: ATTEMPTS of src/params/commands.ts). */
  readonly attempts?: number;
  /** Backoff before the second try, doubled at each further one (default 2000 ms). */
  readonly backoffMs?: number;
  /** How often the coordinator looks at its jobs and the live workers besides listening for events (default 1000 ms). */
  readonly pollMs?: number;
  /** How long finished jobs stay in Redis when their coordinator is gone (default 7 days). */
  readonly keepSeconds?: number;
  readonly onProgress?: (progress: QueueProgress) => void;
}

/** What a queue run did: every record of the file, pairs added (error lines included), skipped, and failed. */
export interface QueuedEvaluationResult extends EvaluationResult {
  readonly failed: number;
}

/** A pair waiting for its job (a job serves more than one pair when photos have the same bytes). */
interface Pending {
  readonly img: QueueImage;
  readonly method: EvalMethod;
}

/**
 * Runs an evaluation on a BullMQ queue. Pairs already in `out` are skipped (resume); the others
 * become jobs whose id is derived from photo hash × method × model × settings, so BullMQ keeps one
 * job per pair however often it is enqueued. Results are appended under the results file's lock
 * (src/eval/claims.ts) only when the pair is not in the file yet, so a retried job never adds a
 * second line; each job is removed from Redis once its line is written. A job that failed on every
 * try becomes one error line naming the photo and the cause. When `signal` aborts, jobs no worker
 * has started are removed, jobs in flight finish on their workers and wait in Redis, and the next
 * run with the same options collects them without recomputing.
 */
export async function runQueuedEvaluation(o: QueuedEvaluationOptions): Promise<QueuedEvaluationResult> {
  const targetMode = checkImages(o.images.map((img) => ({ ...img, load: () => Promise.reject(new Error("not loaded")) })), o.targetMode ?? "predicted");
  const plan = evalPlan(o);
  const attempts = checkParam(ATTEMPTS, o.attempts ?? ATTEMPTS.default) as number;
  const pollMs = o.pollMs ?? 1000;
  const keep = { age: o.keepSeconds ?? 7 * 24 * 3600 };
  const wanted = new Set(o.images.flatMap((img) => o.methods.map((m) => pairKey(img.name, m))));
  mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const lock = new ResultsLock(o.out);
  let checked = 0;
  const current = (): EvalRecord[] => {
    repairRecords(o.out);
    const records = readRecords(o.out);
    checkResumable(records.slice(checked), { out: o.out, targetMode, model: o.model }, plan.settings, wanted);
    checked = records.length;
    return records;
  };
  const finished = new Set((await lock.locked(current, o.signal)).map((r) => pairKey(r.image, r.method)));
  const todo: Pending[] = o.images.flatMap((img) => o.methods.filter((m) => !finished.has(pairKey(img.name, m))).map((method) => ({ img, method })));
  const total = todo.length;
  let done = 0;
  let failed = 0;
  if (total === 0) return { records: readRecords(o.out), added: 0, skipped: wanted.size, failed: 0 };

  const queue = new Queue<EvalJobData>(QUEUE_NAME, { connection: o.connection });
  const events = new QueueEvents(QUEUE_NAME, { connection: o.connection });
  /** This run's jobs not yet written, by id, with their pairs. */
  const outstanding = new Map<string, Pending[]>();
  const jobData = async (img: QueueImage, method: EvalMethod, bytes?: Uint8Array): Promise<EvalJobData> => {
    const photo = Buffer.from(bytes ?? (await img.bytes()));
    const annotation = img.annotation ? Buffer.from(await img.annotation()).toString("base64") : undefined;
    return {
      v: 1, image: img.name, photo: photo.toString("base64"), photoSha256: sha256Hex(photo), ...(img.trueClass === undefined ? {} : { trueClass: img.trueClass }),
      ...(annotation === undefined ? {} : { annotation }),
      method, model: o.model, targetMode, seed: plan.seed, methodOptions: plan.methodOptions, metrics: plan.metrics, metricNames: plan.metricNames, settings: plan.settings.get(method)!,
    };
  };
  const jobOptions = (jobId: string) => ({ jobId, attempts, backoff: { type: "exponential", delay: o.backoffMs ?? 2000 }, removeOnComplete: keep, removeOnFail: keep });
  /** Puts a job on the queue unless it is there; a job that failed in an earlier run is tried again. */
  const enqueue = async (data: EvalJobData): Promise<string> => {
    const jobId = jobIdOf(data);
    const existing = await Job.fromId(queue, jobId);
    if (!existing) await queue.add(data.method, data, jobOptions(jobId));
    else if ((await existing.getState()) === "failed") await existing.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    return jobId;
  };

  /** Writes, under the file's lock, the lines of a finished job's pairs that are not in the file yet. */
  const write = async (pairs: readonly Pending[], make: (p: Pending) => EvalRecord): Promise<void> => {
    await lock.locked(() => {
      const have = new Set(current().map((r) => pairKey(r.image, r.method)));
      for (const p of pairs) if (!have.has(pairKey(p.img.name, p.method))) appendRecord(o.out, make(p));
    });
  };
  const checking = new Set<string>();
  /** Looks at one job: writes its result or its error line when it is finished, re-adds it when it vanished. */
  const check = async (jobId: string): Promise<void> => {
    const pairs = outstanding.get(jobId);
    if (!pairs || checking.has(jobId)) return;
    checking.add(jobId);
    try {
      // The state first, then the job: a job read before its state could be finished without its result.
      const state = await queue.getJobState(jobId);
      if (state === "unknown") {
        // Removed by another coordinator's Ctrl-C, or expired: put it back.
        await enqueue(await jobData(pairs[0].img, pairs[0].method));
        return;
      }
      if (state !== "completed" && state !== "failed") return;
      const job = await Job.fromId<EvalJobData>(queue, jobId);
      if (!job) return; // removed in between: the next look re-adds it
      if (state === "completed") {
        const { record } = decodeJobResult(job.returnvalue);
        await write(pairs, (p) => ({ ...record, image: p.img.name }));
      } else if (state === "failed") {
        const cause = job.failedReason || "unknown cause";
        await write(pairs, (p) => ({
          image: p.img.name, method: p.method, model: o.model.name, targetMode, settings: plan.settings.get(p.method)!,
          error: `${p.img.name} (${p.method}) failed on every try (${job.attemptsMade} of ${attempts}): ${cause}`,
        }) as unknown as EvalRecord);
        failed += pairs.length;
      }
      outstanding.delete(jobId);
      done += pairs.length;
      await job.remove().catch(() => undefined); // its line is written; the photo's bytes leave Redis
    } finally {
      checking.delete(jobId);
    }
  };

  const onFinished = ({ jobId }: { jobId: string }) => {
    if (outstanding.has(jobId)) void check(jobId).catch(() => undefined); // the sweep tries again
  };
  events.on("completed", onFinished);
  events.on("failed", onFinished);
  let active = 0;
  let workers = 0;
  const report = () => o.onProgress?.({ done, total, failed, workers, active });
  try {
    await events.waitUntilReady();
    // Enqueue photo by photo: its bytes are read once for all its methods and not kept.
    const byImage = new Map<QueueImage, EvalMethod[]>();
    for (const p of todo) byImage.set(p.img, [...(byImage.get(p.img) ?? []), p.method]);
    for (const [img, methods] of byImage) {
      throwIfAborted(o.signal);
      const bytes = await img.bytes();
      for (const method of methods) {
        const data = await jobData(img, method, bytes);
        const jobId = jobIdOf(data);
        const pairs = outstanding.get(jobId);
        if (pairs) pairs.push({ img, method });
        else outstanding.set(jobId, [{ img, method }]);
        if (!pairs) await enqueue(data);
      }
      report();
    }
    while (outstanding.size > 0) {
      throwIfAborted(o.signal);
      const ids = [...outstanding.keys()];
      for (let i = 0; i < ids.length; i += 100) await Promise.all(ids.slice(i, i + 100).map(check));
      const states = await Promise.all([...outstanding.keys()].slice(0, 1000).map((id) => queue.getJobState(id)));
      active = states.filter((s) => s === "active").length;
      workers = await queue.getWorkersCount();
      report();
      if (outstanding.size > 0) await sleep(pollMs, undefined, { signal: o.signal }).catch(() => undefined);
    }
    report();
  } catch (error) {
    if (o.signal?.aborted) await withdraw(queue, [...outstanding.keys()]);
    throw error;
  } finally {
    await events.close();
    await queue.close();
  }
  return { records: readRecords(o.out), added: done, skipped: wanted.size - total, failed };
}

/** Removes the jobs no worker has started (waiting, delayed, prioritized); those in flight finish and wait in Redis for the next run. */
async function withdraw(queue: Queue, ids: readonly string[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < ids.length; i += 100) {
    await Promise.all(
      ids.slice(i, i + 100).map(async (id) => {
        const job = await Job.fromId(queue, id);
        if (!job) return;
        const state = await job.getState();
        if (state === "waiting" || state === "delayed" || state === "prioritized" || state === "waiting-children") {
          // remove() refuses a job a worker has just locked: that one finishes and waits for the next run.
          if (await job.remove().then(() => true, () => false)) removed++;
        }
      }),
    );
  }
  return removed;
}
