/**
 * `lima-xai worker` (issue 17): one worker of a queue evaluation. It takes (photo, method,
 * settings) jobs from the Redis queue that `lima-xai eval --queue` fills and runs them with the
 * same code as a local evaluation, until SIGTERM or Ctrl-C.
 */
import { numberFlag, parseFlags, requiredFlag, UsageError } from "./args";
import { redisOptions } from "../eval/queue/job";
import type { Device } from "../model/devices";
import { BATCH, DEVICE } from "../params/lima";
import { flagOf, flagValue, helpLines } from "./flags";

export const WORKER_USAGE = [
  `lima-xai worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--${flagOf(DEVICE)} ${DEVICE.choices.join("|")}] [--${flagOf(BATCH)} N] [--stalled-ms MS]`,
  "  --queue        the Redis that `lima-xai eval --queue` uses (redis://[user:password@]HOST[:PORT][/DB], rediss:// for TLS)",
  "  --concurrency  jobs at once (default 1; each job's model calls are batched already)",
  ...helpLines([DEVICE]),
  `  --${flagOf(BATCH)} <${BATCH.min}..${BATCH.max}>  images per model call (default: the model loader's)`,
  "  --stalled-ms   a job whose worker stops renewing its lock this long is handed to another worker (default 30000)",
  "Models are found by the coordinator's path where it exists here, else by name (LIMA_XAI_MODELS, the cache, the registry),",
  "and must have the coordinator's sha256. SIGTERM or Ctrl-C: finish the jobs in flight, then exit; a second one: exit at once",
  "(the jobs in flight go to another worker).",
].join("\n");

const FLAGS = {
  queue: { type: "string" },
  concurrency: { type: "string" },
  device: { type: "string" },
  batch: { type: "string" },
  "stalled-ms": { type: "string" },
} as const;

/** Runs a worker until SIGTERM/SIGINT; returns the exit code (0 after a graceful stop). */
export async function workerCommand(args: string[], io: { readonly stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const { values } = parseFlags(args, FLAGS);
  const url = requiredFlag("queue", values.queue);
  let connection;
  try {
    connection = redisOptions(url);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const concurrency = numberFlag("concurrency", values.concurrency, 1, { integer: true, min: 1 });
  const device = flagValue<Device>(DEVICE, values);
  const batchSize = values.batch === undefined ? undefined : flagValue<number>(BATCH, values);
  const stalledMs = numberFlag("stalled-ms", values["stalled-ms"], 30_000, { min: 100 });
  const stderr = io.stderr ?? process.stderr;
  const { startEvalWorker } = await import("../eval/queue/worker"); // BullMQ loads only when a worker runs
  const worker = startEvalWorker({
    connection, concurrency, device, batchSize, stalledMs,
    log: (line) => stderr.write(`worker ${process.pid}: ${line}\n`),
    onDownload: (m) => stderr.write(`${m}\n`),
  });
  stderr.write(`worker ${worker.name}: waiting for jobs on ${url.replace(/\/\/[^@/]*@/, "//…@")} (concurrency ${concurrency}, ${device})\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        stderr.write(`worker ${worker.name}: ${signal} again, leaving the jobs in flight to another worker\n`);
        void worker.close(true).then(resolve, resolve);
        return;
      }
      stopping = true;
      stderr.write(`worker ${worker.name}: ${signal}, finishing the jobs in flight (again to stop at once)\n`);
      void worker.close().then(resolve, resolve);
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
  stderr.write(`worker ${worker.name}: stopped after ${worker.completed()} job(s)\n`);
  return 0;
}
