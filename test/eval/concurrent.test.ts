import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { pairKey, readRecords, ResultsLock, runEvaluation, type EvalImage } from "../../src/eval";
import { createRandom } from "../../src/util/random";
import { fakeModel, squareScore, SQUARE_SIDE, whiteImage } from "../support/fake-model";
import { linearModel, tempDir, writeTestModel } from "../support/onnx-graphs";
import { REPO } from "../support/paths";

const BIN = path.join(REPO, "bin/lima-xai.js");
const SIDE = 32;

/** Runs the CLI as a child process; resolves with its exit code and stderr. */
function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** A three-class linear model on 32×32 inputs with seeded weights, and a folder of seeded noise photos. */
async function fixture(images: number): Promise<{ card: string; folder: string }> {
  const rng = createRandom(7);
  const random = () => rng.next();
  const weights = [0, 1, 2].map(() => Float32Array.from({ length: 3 * SIDE * SIDE }, () => (random() - 0.5) / 100));
  const card = writeTestModel(linearModel({ width: SIDE, height: SIDE, weights }), { name: "lin3", width: SIDE, height: SIDE, classes: ["a", "b", "c"] });
  const folder = tempDir("concurrent-images-");
  for (let i = 0; i < images; i++) {
    const pixels = Buffer.from(Array.from({ length: SIDE * SIDE * 3 }, () => Math.floor(random() * 256)));
    await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toFile(path.join(folder, `img${i}.png`));
  }
  return { card, folder };
}

test("two lima-xai eval processes on one --out share the pairs: every pair written once, both exit 0", async () => {
  const { card, folder } = await fixture(8);
  const out = path.join(tempDir("concurrent-out-"), "results.jsonl");
  const methods = ["lima", "rise", "occlusion"];
  const args = [
    "eval", "--model", card, "--images", folder, "--out", out, "--methods", methods.join(","),
    "--division", "grid", "--regions", "16", "--np", "2", "--rise-masks", "600", "--rise-grid", "4",
    "--occlusion-patch", "4", "--occlusion-stride", "2", "--steps", "20", "--mu-samples", "100", "--mu-grid", "4",
  ];
  const [a, b] = await Promise.all([cli(args), cli(args)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const records = readRecords(out);
  const keys = records.map((r) => `${r.image}/${r.method}`);
  assert.equal(new Set(keys).size, keys.length, `no pair twice: ${keys.length} lines for ${new Set(keys).size} pairs`);
  assert.equal(keys.length, 8 * methods.length, "every pair is there");
  assert.equal(existsSync(`${out}.lock`), false, "the lock is released");
  assert.equal(existsSync(`${out}.claims`), false, "no claim left behind");
});

test("a last record without its final newline is kept, and the newline repaired before the next line", async () => {
  const out = path.join(tempDir("newline-"), "r.jsonl");
  const W = SQUARE_SIDE;
  const images: EvalImage[] = [
    { name: "white.png", trueClass: 0, load: async () => whiteImage(W, W) },
    { name: "other.png", trueClass: 0, load: async () => whiteImage(W, W) },
  ];
  const options = { methods: ["occlusion", "rise"] as const, out, methodOptions: { occlusion: { patch: 8, stride: 8 }, rise: { masks: 12, grid: 4 } }, metrics: { steps: 4, muSamples: 6, muGrid: 4 } };
  await runEvaluation({ model: fakeModel(squareScore, { width: W, height: W }), images: images.slice(0, 1), ...options, methods: [...options.methods] });
  const full = readFileSync(out, "utf8");
  writeFileSync(out, full.replace(/\n$/, ""));
  assert.equal(readRecords(out).length, 2, "the complete last record is read");
  const model = fakeModel(squareScore, { width: W, height: W });
  const again = await runEvaluation({ model, images, ...options, methods: [...options.methods] });
  assert.equal(again.added, 2, "only the new image's pairs are computed");
  assert.equal(again.skipped, 2);
  const text = readFileSync(out, "utf8");
  assert.ok(text.startsWith(full), "the old lines are untouched and the lost newline is back");
  assert.equal(text.split("\n").filter((l) => l !== "").length, 4);
  assert.deepEqual(readRecords(out).map((r) => `${r.image}/${r.method}`).sort(), ["other.png/occlusion", "other.png/rise", "white.png/occlusion", "white.png/rise"]);
});

test("a lock or claim left by a dead process is taken over; a live process's lock makes the other wait, then fail naming it", async () => {
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
  const out = path.join(tempDir("stale-"), "r.jsonl");
  writeFileSync(`${out}.lock`, `${dead} ${os.hostname()}\n`);
  const lock = new ResultsLock(out, { timeoutMs: 500 });
  assert.equal(await lock.locked(() => "ran"), "ran", "the dead process's lock is removed");
  assert.equal(existsSync(`${out}.lock`), false);

  writeFileSync(`${out}.lock`, `${process.ppid} ${os.hostname()}\n`); // a live process (our parent) holds it
  const t0 = Date.now();
  await assert.rejects(lock.locked(() => "never"), new RegExp(`is locked by process ${process.ppid} on .* for more than 500 ms; if no other lima-xai eval is writing it, remove .*r\\.jsonl\\.lock`));
  assert.ok(Date.now() - t0 >= 500);
  unlinkSync(`${out}.lock`);

  // A claim of a dead process: the pair is computed by the next run, and the claim removed.
  const W = SQUARE_SIDE;
  const key = pairKey("white.png", "occlusion");
  const claims = new ResultsLock(out);
  await claims.locked(() => claims.claim(key)); // claimed by this process, then forged as the dead one's
  const [file] = readdirSync(`${out}.claims`);
  writeFileSync(path.join(`${out}.claims`, file), `${dead} ${os.hostname()}\n`);
  const result = await runEvaluation({
    model: fakeModel(squareScore, { width: W, height: W }), images: [{ name: "white.png", load: async () => whiteImage(W, W) }], methods: ["occlusion"], out,
    methodOptions: { occlusion: { patch: 8, stride: 8 } }, metrics: { steps: 4, muSamples: 6, muGrid: 4 },
  });
  assert.equal(result.added, 1);
  assert.equal(existsSync(`${out}.claims`), false);
});

test("two runEvaluation calls at once in one process on one file write every pair once", async () => {
  const out = path.join(tempDir("in-process-"), "r.jsonl");
  const W = SQUARE_SIDE;
  const images: EvalImage[] = ["a.png", "b.png", "c.png"].map((name) => ({ name, load: async () => whiteImage(W, W) }));
  const options = { images, methods: ["occlusion", "rise"] as ("occlusion" | "rise")[], out, methodOptions: { occlusion: { patch: 4, stride: 4 }, rise: { masks: 40, grid: 4 } }, metrics: { steps: 6, muSamples: 8, muGrid: 4 } };
  const [a, b] = await Promise.all([
    runEvaluation({ model: fakeModel(squareScore, { width: W, height: W }), ...options }),
    runEvaluation({ model: fakeModel(squareScore, { width: W, height: W }), ...options }),
  ]);
  const keys = readRecords(out).map((r) => `${r.image}/${r.method}`);
  assert.equal(keys.length, 6);
  assert.equal(new Set(keys).size, 6, keys.join(", "));
  assert.equal(a.added + b.added, 6, "the two runs split the pairs");
});
