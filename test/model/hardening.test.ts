import assert from "node:assert/strict";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ModelCardError } from "../../src/model/card";
import { CUDA_PROVIDER_LIBRARIES, cudaProblem } from "../../src/model/cuda";
import { loadModel } from "../../src/model/load";
import { linearModel, tempDir, writeTestModel } from "../support/onnx-graphs";

const W = 4;
const weights = [Float32Array.from({ length: 3 * W * W }, (_, i) => (i % 5) - 2), Float32Array.from({ length: 3 * W * W }, (_, i) => (i % 3) - 1)];
const image = { width: W, height: W, data: Float32Array.from({ length: 3 * W * W }, (_, i) => (i * 37) % 256) };

/** Rewrites fields of a test card. */
function editCard(file: string, fields: Record<string, unknown>): void {
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), ...fields }));
}

test("a card's labels or file outside its folder is refused, naming the path and the flag; allowOutsidePaths lets it through", async () => {
  const root = tempDir("outside-");
  const card = writeTestModel(linearModel({ width: W, height: W, weights }), { name: "lin", width: W, height: W, classes: ["a", "b"] }, path.join(root, "cards"));
  writeFileSync(path.join(root, "x"), "first\nsecond\n");
  editCard(card, { labels: "../x" });
  await assert.rejects(
    loadModel(card),
    (e: Error) => e instanceof ModelCardError && e.message.includes(`"labels" "../x" resolves to ${path.join(root, "x")}, outside the card's folder ${path.join(root, "cards")}`) && e.message.includes("--allow-outside-paths"),
  );
  const model = await loadModel(card, { allowOutsidePaths: true });
  assert.deepEqual(model.labels, ["first", "second"]);
  await model.dispose();

  mkdirSync(path.join(root, "elsewhere"));
  writeFileSync(path.join(root, "elsewhere", "lin.onnx"), readFileSync(path.join(root, "cards", "lin.onnx")));
  editCard(card, { labels: "lin.labels.txt", file: path.join(root, "elsewhere", "lin.onnx") });
  await assert.rejects(loadModel(card), /"file" ".*elsewhere\/lin\.onnx" resolves to .* outside the card's folder .*--allow-outside-paths/);
  editCard(card, { file: "sub/../lin.onnx" });
  const inside = await loadModel(card);
  assert.deepEqual(inside.labels, ["a", "b"], "a path that stays inside the folder is fine");
  await inside.dispose();
});

test("a card saying outputKind \"probabilities\" for a model returning logits fails on the first batch, naming the field and the sums", async () => {
  const card = writeTestModel(linearModel({ width: W, height: W, weights, bias: [3, -1] }), { name: "mislabeled", width: W, height: W, classes: ["a", "b"], outputKind: "probabilities", scale: 1 });
  const model = await loadModel(card);
  await assert.rejects(model.run([image]), /model mislabeled: its card says outputKind "probabilities", but class \d of image 0 is -\d+(\.\d+)? \(negative\) .*set "outputKind": "logits"/);
  await model.dispose();

  // Non-negative scores that do not sum to 1 are refused too; a true softmax passes.
  const relu = writeTestModel(linearModel({ width: W, height: W, weights: [new Float32Array(3 * W * W), new Float32Array(3 * W * W)], bias: [0.7, 0.7] }), { name: "unnormalised", width: W, height: W, classes: ["a", "b"], outputKind: "probabilities" });
  const m2 = await loadModel(relu);
  await assert.rejects(m2.run([image]), /outputKind "probabilities", but the scores of image 0 sum to 1\.39999\d*/);
  await m2.dispose();
  const half = writeTestModel(linearModel({ width: W, height: W, weights: [new Float32Array(3 * W * W), new Float32Array(3 * W * W)], bias: [0.25, 0.75] }), { name: "ok", width: W, height: W, classes: ["a", "b"], outputKind: "probabilities" });
  const m3 = await loadModel(half);
  const [out] = await m3.run([image]);
  assert.deepEqual(Array.from(out.probs), [0.25, 0.75]);
  await m3.dispose();
});

test("an int64 model output is refused when the model opens, naming the output, its type and float32", async () => {
  const card = writeTestModel(linearModel({ width: W, height: W, weights, int64: true }), { name: "ints", width: W, height: W, classes: ["a", "b"] });
  await assert.rejects(loadModel(card), /model ints output "y" is int64; float32 is required/);
});

test("cudaProblem names the missing CUDA provider libraries and the install command; none missing, none named", () => {
  const empty = tempDir("ort-bin-");
  const problem = cudaProblem(empty, "linux");
  assert.ok(problem?.includes(`${CUDA_PROVIDER_LIBRARIES.join(" and ")} missing in ${empty}`), problem);
  assert.ok(problem?.includes(`ONNXRUNTIME_NODE_INSTALL=cuda12 node ${path.join(empty, "../../../../script/install")}`), problem);
  const full = tempDir("ort-bin-");
  for (const lib of CUDA_PROVIDER_LIBRARIES) writeFileSync(path.join(full, lib), "");
  assert.equal(cudaProblem(full, "linux"), undefined);
  assert.match(cudaProblem(full, "darwin")!, /no CUDA provider on macOS/);
});
