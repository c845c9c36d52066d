import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readRecords } from "../../src/eval";
import { tempDir } from "../support/onnx-graphs";
import { donePairs, lima, queueFixture, queueHarness, startWorker } from "../support/queue-fixture";

/** RISE with enough masks that a job lasts about a second on the tiny model, so a process can be killed in the middle of one. */
const SLOW = [
  "--division", "grid", "--regions", "16", "--occlusion-patch", "8", "--occlusion-stride", "8",
  "--rise-masks", "3000", "--rise-grid", "4", "--steps", "10", "--mu-samples", "20", "--mu-grid", "4",
];

const lineCount = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "").length : 0);

async function waitForLines(file: string, n: number, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (lineCount(file) < n) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${file} has ${lineCount(file)} lines after ${timeoutMs} ms, expected ${n}`);
    await sleep(50);
  }
}

test("kill -9 of a worker in the middle of a job: the job is retried on the other worker, every pair once, no second line", async (t) => {
  const { url: redisUrl, children } = await queueHarness(t);
  const { card, folder } = await queueFixture(3);
  const out = path.join(tempDir("queue-kill-"), "r.jsonl");
  const victim = await startWorker(redisUrl);
  children.push(victim);
  const run = lima(["eval", "--model", card, "--images", folder, "--out", out, ...SLOW, "--methods", "rise", "--queue", redisUrl]);
  children.push(run);
  const started = await victim.waitFor(/: start \S+ \S+ rise/);
  victim.process.kill("SIGKILL");
  assert.equal(await victim.exited, "SIGKILL");
  const [, jobId, image] = /: start (\S+) (\S+) rise/.exec(started)!;
  const survivor = await startWorker(redisUrl);
  children.push(survivor);
  assert.equal(await run.exited, 0, run.lines.join("\n"));
  assert.equal(donePairs(victim).includes(`${image}/rise`), false, "the killed worker did not finish its job");
  assert.ok(survivor.lines.some((l) => l.includes(`start ${jobId} ${image} rise`)), `the job ${jobId} was handed to the other worker:\n${survivor.lines.join("\n")}`);
  const keys = readRecords(out).map((r) => `${r.image}/${r.method}`);
  assert.equal(lineCount(out), 3);
  assert.deepEqual(keys.sort(), ["img0.png/rise", "img1.png/rise", "img2.png/rise"]);
});

test("the coordinator stopped by Ctrl-C, then killed, then re-run: finished pairs are not recomputed, every pair once", async (t) => {
  const { url: redisUrl, children } = await queueHarness(t);
  const { card, folder } = await queueFixture(4);
  const out = path.join(tempDir("queue-resume-"), "r.jsonl");
  const worker = await startWorker(redisUrl);
  children.push(worker);
  const args = ["eval", "--model", card, "--images", folder, "--out", out, ...SLOW, "--methods", "occlusion,rise", "--queue", redisUrl];

  const first = lima(args);
  children.push(first);
  await waitForLines(out, 2);
  first.process.kill("SIGINT");
  assert.equal(await first.exited, 130, first.lines.join("\n"));
  assert.ok(first.lines.some((l) => /interrupted: .*run the same command again/.test(l)));
  const afterFirst = readFileSync(out, "utf8");

  const second = lima(args);
  children.push(second);
  await waitForLines(out, lineCount(out) + 1);
  second.process.kill("SIGKILL");
  await second.exited;
  const afterSecond = readFileSync(out, "utf8");
  assert.ok(afterSecond.startsWith(afterFirst), "lines written stay as they were");

  const third = lima(args);
  children.push(third);
  assert.equal(await third.exited, 0, third.lines.join("\n"));
  const text = readFileSync(out, "utf8");
  assert.ok(text.startsWith(afterSecond), "the re-run only appends");
  const keys = readRecords(out).map((r) => `${r.image}/${r.method}`);
  assert.equal(keys.length, 8, "4 photos × 2 methods");
  assert.equal(new Set(keys).size, 8, "every pair once");
  const computed = donePairs(worker);
  assert.equal(computed.length, 8, `no pair computed twice: ${computed.join(", ")}`);
  assert.equal(new Set(computed).size, 8);
  const before = afterSecond.split("\n").filter((l) => l !== "").length;
  assert.match(third.stdout(), new RegExp(`${8 - before} new pair\\(s\\), ${before} already done`));
});

test("SIGTERM of a worker in the middle of a job: it finishes that job, then exits 0; the run completes", async (t) => {
  const { url: redisUrl, children } = await queueHarness(t);
  const { card, folder } = await queueFixture(2);
  const out = path.join(tempDir("queue-term-"), "r.jsonl");
  const worker = await startWorker(redisUrl);
  children.push(worker);
  const run = lima(["eval", "--model", card, "--images", folder, "--out", out, ...SLOW, "--methods", "rise", "--queue", redisUrl]);
  children.push(run);
  const started = await worker.waitFor(/: start \S+ \S+ rise/);
  const [, jobId] = /: start (\S+)/.exec(started)!;
  worker.process.kill("SIGTERM");
  assert.equal(await worker.exited, 0, worker.lines.join("\n"));
  const term = worker.lines.findIndex((l) => /SIGTERM, finishing the jobs in flight/.test(l));
  const done = worker.lines.findIndex((l) => l.includes(`done ${jobId}`));
  assert.ok(term >= 0 && done > term, `the job in flight is finished after SIGTERM:\n${worker.lines.join("\n")}`);
  assert.equal(worker.lines.filter((l) => /: start /.test(l)).length, 1, "no new job is taken after SIGTERM");
  const next = await startWorker(redisUrl);
  children.push(next);
  assert.equal(await run.exited, 0, run.lines.join("\n"));
  assert.deepEqual(readRecords(out).map((r) => r.image).sort(), ["img0.png", "img1.png"]);
});
