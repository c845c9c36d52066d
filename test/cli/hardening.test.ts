import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { cudaProblem } from "../../src/model/cuda";
import { linearModel, tempDir, writeTestModel } from "../support/onnx-graphs";
import { MODELS, PHOTOS, REPO } from "../support/paths";

const BIN = path.join(REPO, "bin/lima-xai.js");
const env = { ...process.env, LIMA_XAI_MODELS: MODELS, CI: "" };
const PELICAN = path.join(PHOTOS, "pelican.jpeg");

/** Runs the CLI with stdout and stderr piped (so stderr is not a terminal). */
function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 120_000 });
}

/** The one line the CLI printed for an error: no native dump, no stack. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  return lines[0];
}

const FAST = ["--model", "squeezenet1.1-fp32", "--image", PELICAN, "--division", "grid", "--regions", "4", "--np", "2"];

test("explain with λ = 1e308 (F overflows) exits non-zero naming the value", () => {
  const r = run(["explain", ...FAST, "--lambda-cons", "1e308", "--lambda-colla", "1e308"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /lambda.?cons.*1e\+?308/);
  assert.equal(r.stdout, "", "no result printed");
});

test("explain with a card saying probabilities for a model returning logits exits non-zero naming the card field and the values", () => {
  const W = 8;
  const weights = [Float32Array.from({ length: 3 * W * W }, (_, i) => (i % 7) - 3), Float32Array.from({ length: 3 * W * W }, (_, i) => (i % 4) - 2)];
  const card = writeTestModel(linearModel({ width: W, height: W, weights, bias: [2, -2] }), { name: "logits-as-probs", width: W, height: W, classes: ["a", "b"], outputKind: "probabilities" });
  const r = run(["explain", "--model", card, "--image", PELICAN, "--division", "grid", "--regions", "4", "--np", "2"]);
  assert.equal(r.status, 1);
  assert.match(oneLine(r.stderr), /model logits-as-probs: its card says outputKind "probabilities", but (class \d of image 0 is -[\d.e+-]+ \(negative\)|the scores of image 0 sum to [\d.e+-]+)/);
});

test("explain with stderr piped prints progress lines (no bar), ending at 100%", () => {
  const r = run(["explain", "--model", "squeezenet1.1-fp32", "--image", PELICAN, "--division", "grid", "--regions", "9", "--search", "greedy"]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.ok(lines.length >= 3, r.stderr);
  for (const line of lines) assert.match(line, /^explaining pelican\.jpeg \(lima\): \d+% \(\d+\/\d+\) [\d.]+s, ETA [\d.]+s/);
  assert.match(lines.at(-1)!, /: 100% \(/);
  assert.doesNotMatch(r.stderr, /\r/, "no carriage-return bar");
});

test("--regions -1 and --regions 1000 name the flag and the range 2..400, for explain and eval", () => {
  for (const value of ["-1", "1000"]) {
    const e = run(["explain", "--model", "squeezenet1.1-fp32", "--image", PELICAN, "--regions", value]);
    assert.equal(e.status, 2);
    assert.match(oneLine(e.stderr), new RegExp(`--regions "?${value}"? is not allowed: use an integer in 2\\.\\.400`));
    const v = run(["eval", "--model", "squeezenet1.1-fp32", "--images", PHOTOS, "--out", path.join(tempDir("eval-"), "r.jsonl"), "--regions", value]);
    assert.equal(v.status, 2);
    assert.match(oneLine(v.stderr), new RegExp(`--regions "?${value}"? is not allowed: use an integer in 2\\.\\.400`));
  }
});

test("a directory as --image says it is a directory", () => {
  const r = run(["explain", "--model", "squeezenet1.1-fp32", "--image", PHOTOS]);
  assert.equal(r.status, 1);
  assert.equal(oneLine(r.stderr), `lima-xai explain: cannot read image ${PHOTOS}: it is a directory, not an image file`);
});

test("a --prior-map that is not an image names the file", () => {
  const bad = path.join(tempDir("prior-"), "prior.png");
  writeFileSync(bad, "not a png");
  const r = run(["explain", "--model", "squeezenet1.1-fp32", "--image", PELICAN, "--division", "prior", "--prior-map", bad]);
  assert.equal(r.status, 2);
  assert.match(oneLine(r.stderr), new RegExp(`--prior-map ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} cannot be read as a greyscale image: `));
});

test("--device cuda without the CUDA provider says what is missing and how to install it, with no native dump", () => {
  const r = run(["explain", ...FAST, "--device", "cuda"]);
  if (cudaProblem() !== undefined) {
    assert.equal(r.status, 1);
    const line = oneLine(r.stderr);
    assert.match(line, /device cuda is not available: onnxruntime-node's CUDA provider is not installed \(.*libonnxruntime_providers_cuda\.so.* missing in .*\); .*ONNXRUNTIME_NODE_INSTALL=cuda12/);
  } else {
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\[E:onnxruntime/);
  }
});

test("a card whose labels lie outside its folder is refused naming the path and --allow-outside-paths, which lets it through", () => {
  const root = tempDir("outside-cli-");
  const W = 8;
  const weights = [Float32Array.from({ length: 3 * W * W }, (_, i) => (i % 7) - 3), Float32Array.from({ length: 3 * W * W }, (_, i) => (i % 4) - 2)];
  const card = writeTestModel(linearModel({ width: W, height: W, weights }), { name: "lin", width: W, height: W, classes: ["a", "b"] }, path.join(root, "card"));
  writeFileSync(card, JSON.stringify({ ...JSON.parse(readFileSync(card, "utf8")), labels: "../x" }));
  writeFileSync(path.join(root, "x"), "outside-a\noutside-b\n");
  const args = ["explain", "--model", card, "--image", PELICAN, "--division", "grid", "--regions", "4", "--np", "2", "--json"];
  const refused = run(args);
  assert.equal(refused.status, 1);
  const line = oneLine(refused.stderr);
  assert.ok(line.includes(`"labels" "../x" resolves to ${path.join(root, "x")}, outside the card's folder`), line);
  assert.ok(line.includes("--allow-outside-paths"), line);
  const allowed = run([...args, "--allow-outside-paths"]);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.match(JSON.parse(allowed.stdout).target.label, /^outside-[ab]$/);
});
