import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { readRecords, type EvalRecord } from "../../src/eval";
import { tempDir } from "../support/onnx-graphs";
import { donePairs, lima, queueFixture, queueHarness, startWorker } from "../support/queue-fixture";

/** Small, cheap settings: a 16-cell grid, occlusion with 8-pixel patches, RISE with few masks, short curves. */
const SETTINGS = [
  "--division", "grid", "--regions", "16", "--occlusion-patch", "8", "--occlusion-stride", "8", "--rise-masks", "200", "--rise-grid", "4",
  "--steps", "10", "--mu-samples", "20", "--mu-grid", "4",
];

/** A record without its timings (the only fields a queue run and a local run may differ in). */
function untimed(r: EvalRecord): Omit<EvalRecord, "ms"> {
  const { ms: _ms, ...rest } = r;
  return rest;
}

const byPair = (a: EvalRecord, b: EvalRecord) => `${a.image}/${a.method}`.localeCompare(`${b.image}/${b.method}`);

/** The summary table (stdout up to the "new pair(s)" line, which names the output file) without its last column, the seconds. */
const table = (stdout: string) =>
  stdout.split("\n\n")[0].split("\n").map((line) => line.replace(/\s+(\S+ ± \S+|seconds|-+)$/, "")).join("\n");

test("eval --queue with two worker processes: 6 photos × 2 methods, every pair once, records and summary equal to a local run's but for timings", async (t) => {
  const { url: redisUrl, children } = await queueHarness(t);
  const { card, folder } = await queueFixture(6);
  const dir = tempDir("queue-out-");
  const common = ["eval", "--model", card, "--images", folder, "--methods", "occlusion,rise", ...SETTINGS];
  const workers = await Promise.all([startWorker(redisUrl), startWorker(redisUrl)]);
  children.push(...workers);
  const queued = lima([...common, "--out", path.join(dir, "queued.jsonl"), "--queue", redisUrl]);
  children.push(queued);
  const local = lima([...common, "--out", path.join(dir, "local.jsonl")]);
  children.push(local);
  assert.equal(await queued.exited, 0, queued.lines.join("\n"));
  assert.equal(await local.exited, 0, local.lines.join("\n"));

  const q = readRecords(path.join(dir, "queued.jsonl"));
  const l = readRecords(path.join(dir, "local.jsonl"));
  const keys = q.map((r) => `${r.image}/${r.method}`);
  assert.equal(keys.length, 12, "6 photos × 2 methods");
  assert.equal(new Set(keys).size, 12, "every pair once");
  assert.deepEqual([...q].sort(byPair).map(untimed), [...l].sort(byPair).map(untimed), "the workers compute what a local run computes");
  assert.equal(table(queued.stdout()), table(local.stdout()), "the same summary table but for the seconds column");

  const computed = workers.flatMap(donePairs);
  assert.equal(computed.length, 12, `each pair computed once: ${computed.join(", ")}`);
  assert.deepEqual([...computed].sort(), [...keys].sort());
  assert.ok(queued.lines.some((line) => /\d+\/12\).* 2 worker\(s\) live/.test(line)), `progress counts the live workers:\n${queued.lines.join("\n")}`);
  assert.ok(queued.lines.some((line) => /ETA \d/.test(line)), "progress shows an ETA");
  assert.match(queued.stdout(), /12 new pair\(s\), 0 already done/);
});

test("eval --queue: a corrupt photo among good ones is one error line naming it and the cause; the others complete", async (t) => {
  const { url: redisUrl, children } = await queueHarness(t);
  const { card, folder } = await queueFixture(3);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(path.join(folder, "broken.png"), Buffer.from("\x89PNG\r\n\x1a\n this is not a picture"));
  const worker = await startWorker(redisUrl);
  children.push(worker);
  const out = path.join(tempDir("queue-corrupt-"), "r.jsonl");
  const run = lima(["eval", "--model", card, "--images", folder, "--out", out, "--methods", "occlusion", ...SETTINGS, "--queue", redisUrl]);
  children.push(run);
  assert.equal(await run.exited, 0, run.lines.join("\n"));
  const records = readRecords(out);
  assert.equal(records.length, 4);
  const errors = records.filter((r) => r.error !== undefined);
  assert.equal(errors.length, 1, "one error line");
  assert.equal(errors[0].image, "broken.png");
  assert.match(errors[0].error!, /broken\.png.*cannot be read/);
  assert.deepEqual(records.filter((r) => r.error === undefined).map((r) => r.image).sort(), ["img0.png", "img1.png", "img2.png"]);
  for (const r of records.filter((x) => x.error === undefined)) assert.ok(Number.isFinite(r.insertion));
  assert.ok(run.lines.some((l) => /1 pair\(s\) failed on every try/.test(l)), run.lines.join("\n"));
  assert.match(run.stdout(), /occlusion\s+all\s+3\s/, "the summary counts the three good photos");
});
