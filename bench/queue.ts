/**
 * Queue evaluation costs (issue 17): wall time of K shared photos × 3 methods locally and with 1
 * and 2 local workers, and the queue's overhead per job (enqueue → start → result) with a trivial
 * job. Needs Debian's redis-server; starts its own on a loopback port.
 *
 *   node dist/bench/queue.js [--photos K] [--images DIR] [--model squeezenet1.1-fp32] [--jobs N]
 *
 * --images: the photo folder (default ../shared/data/images/photos); its first K photos by name.
 */
import { spawn } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Queue, QueueEvents } from "bullmq";
import { evalPlan } from "../src/eval/runner";
import { decodeJobResult, type EvalJobData, jobIdOf, QUEUE_NAME, redisOptions, sha256Hex } from "../src/eval/queue/job";
import { tempDir } from "../test/support/onnx-graphs";
import { PHOTOS, REPO } from "../test/support/paths";
import { queueFixture, startWorker, stop } from "../test/support/queue-fixture";
import { startRedis } from "../test/support/redis";
import { fileSha256 } from "../src/model/load";

const BIN = path.join(REPO, "bin/lima-xai.js");

function run(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "1" } });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`lima-xai ${args[0]} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { photos: { type: "string", default: "3" }, model: { type: "string", default: "squeezenet1.1-fp32" }, jobs: { type: "string", default: "30" }, images: { type: "string" } } });
  const k = Number(values.photos);
  const folder = tempDir("bench-queue-photos-");
  const source = values.images ?? PHOTOS;
  for (const f of readdirSync(source).sort().slice(0, k)) copyFileSync(path.join(source, f), path.join(folder, f));
  const methods = ["occlusion", "rise", "lime"];
  const settings = ["--occlusion-patch", "56", "--occlusion-stride", "28", "--rise-masks", "500", "--lime-samples", "200", "--regions", "32", "--mu-samples", "50"];
  const common = ["eval", "--model", values.model!, "--images", folder, "--methods", methods.join(","), ...settings];
  const out = tempDir("bench-queue-out-");
  const redis = await startRedis();
  const say = (line: string) => {
    process.stdout.write(`${line}\n`);
  };
  say(`machine: ${os.cpus().length} cores, load before: ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  try {
    say(`local eval, ${k} photos × ${methods.length} methods: ${(await run([...common, "--out", path.join(out, "local.jsonl")])).toFixed(1)} s`);
    for (const n of [1, 2]) {
      // The default stalled-job time (30 s): a loaded machine can starve a worker's lock renewal for longer than the tests' 3 s.
      const workers = await Promise.all(Array.from({ length: n }, () => startWorker(redis.url, ["--stalled-ms", "30000"])));
      const s = await run([...common, "--out", path.join(out, `queue${n}.jsonl`), "--queue", redis.url]);
      await Promise.all(workers.map((w) => stop(w)));
      say(`queue, ${n} worker(s): ${s.toFixed(1)} s (load ${os.loadavg()[0].toFixed(1)})`);
    }
    // Overhead: trivial jobs one at a time (occlusion with one patch covering a 32×32 photo).
    const { card, folder: tiny } = await queueFixture(1);
    const worker = await startWorker(redis.url);
    const connection = redisOptions(redis.url);
    const queue = new Queue<EvalJobData>(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    await events.waitUntilReady();
    const photo = readFileSync(path.join(tiny, "img0.png"));
    const cardJson = JSON.parse(readFileSync(card, "utf8")) as { file: string; name: string };
    const model = { spec: card, name: cardJson.name, sha256: fileSha256(path.join(path.dirname(card), cardJson.file)) };
    const plan = evalPlan({ methods: ["occlusion"], methodOptions: { occlusion: { patch: 32, stride: 32 } }, metrics: { steps: 2, muSamples: 4, muGrid: 2 } });
    const rows: { total: number; wait: number; work: number; job: number }[] = [];
    for (let i = 0; i < Number(values.jobs); i++) {
      const data: EvalJobData = {
        v: 1, image: `trivial${i}.png`, photo: photo.toString("base64"), photoSha256: sha256Hex(photo), method: "occlusion", model, targetMode: "predicted",
        seed: 0, methodOptions: plan.methodOptions, metrics: plan.metrics, metricNames: plan.metricNames, settings: { ...plan.settings.get("occlusion")!, bench: i },
      };
      const t0 = Date.now();
      const job = await queue.add("occlusion", { ...data, settings: plan.settings.get("occlusion")! }, { jobId: jobIdOf(data) });
      const result = decodeJobResult(await job.waitUntilFinished(events, 60_000));
      const t1 = Date.now();
      const done = (await queue.getJob(job.id!))!;
      rows.push({ total: t1 - t0, wait: done.processedOn! - done.timestamp, work: done.finishedOn! - done.processedOn!, job: result.workerMs });
    }
    await stop(worker);
    await events.close();
    await queue.close();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const warm = rows.slice(1); // the first job loads the model
    say(
      `overhead per trivial job (n=${warm.length}, median ms): enqueue→result ${median(warm.map((r) => r.total))}, enqueue→start ${median(warm.map((r) => r.wait))}, ` +
        `start→finished ${median(warm.map((r) => r.work))} of which the job itself ${median(warm.map((r) => r.job)).toFixed(1)}; queue overhead ≈ ${median(warm.map((r) => r.total - r.job)).toFixed(1)} ms`,
    );
  } finally {
    await redis.stop();
  }
  say(`load after: ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

void main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
