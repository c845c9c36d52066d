import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeJobData, type EvalJobData, jobIdOf, redisOptions, sha256Hex } from "../../src/eval/queue/job";
import { workerCommand } from "../../src/cli/worker";
import { parseEvalFlags } from "../../src/eval/cli";

const job: EvalJobData = {
  v: 1, image: "a.png", photo: Buffer.from("abc").toString("base64"), photoSha256: sha256Hex("abc"), method: "rise",
  model: { spec: "m", name: "m", sha256: sha256Hex("model") }, targetMode: "predicted", seed: 0, methodOptions: {}, metrics: {}, metricNames: ["insertion"], settings: { masks: 10 },
};

test("redisOptions reads redis://[user:password@]HOST[:PORT][/DB] and names a bad address", () => {
  assert.deepEqual(redisOptions("redis://10.0.0.5:6380/2"), { host: "10.0.0.5", port: 6380, db: 2, maxRetriesPerRequest: null });
  assert.deepEqual(redisOptions("rediss://u:p%40ss@h"), { host: "h", port: 6379, db: 0, username: "u", password: "p@ss", tls: {}, maxRetriesPerRequest: null });
  assert.throws(() => redisOptions("http://h:1"), /scheme http:; use redis:\/\/HOST:PORT/);
  assert.throws(() => redisOptions("redis://h:1/x"), RangeError);
  assert.throws(() => redisOptions("nonsense"), /is not a URL/);
});

test("job ids: the same pair is the same id; another photo, method, model, target, true class or setting is another", () => {
  const id = jobIdOf(job);
  assert.match(id, /^pair-[0-9a-f]{40}$/);
  assert.equal(jobIdOf({ ...job, image: "renamed.png" } as EvalJobData), id, "the name is not part of the pair's identity: the content is");
  const others = [
    { photoSha256: sha256Hex("abd") }, { method: "occlusion" }, { model: { ...job.model, sha256: sha256Hex("other") } }, { targetMode: "true" as const },
    { trueClass: 3 }, { settings: { masks: 11 } },
  ].map((change) => jobIdOf({ ...job, ...change }));
  assert.equal(new Set([id, ...others]).size, others.length + 1);
});

test("decodeJobData names the first bad field", () => {
  assert.deepEqual(decodeJobData(JSON.parse(JSON.stringify(job))), job);
  assert.throws(() => decodeJobData({ ...job, v: 2 }), /field v is 2; expected 1/);
  assert.throws(() => decodeJobData({ ...job, photoSha256: "xyz" }), /field photoSha256 .*64 hex digits/);
  assert.throws(() => decodeJobData({ ...job, targetMode: "best" }), /field targetMode is "best"; expected predicted or true/);
  assert.throws(() => decodeJobData(null), TypeError);
});

test("worker and eval --queue refuse bad flags before connecting", async () => {
  await assert.rejects(workerCommand([]), /--queue/);
  await assert.rejects(workerCommand(["--queue", "http://x"]), /scheme http:/);
  await assert.rejects(workerCommand(["--queue", "redis://127.0.0.1:1", "--concurrency", "0"]), /concurrency/);
  assert.throws(() => parseEvalFlags(["--model", "m", "--images", ".", "--out", "o.jsonl", "--queue", "ftp://x"], { listFiles: false }), /scheme ftp:/);
  assert.throws(() => parseEvalFlags(["--model", "m", "--images", ".", "--out", "o.jsonl", "--attempts", "2"], { listFiles: false }), /--attempts needs --queue/);
});
