import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { loadImage } from "../../src/image/load";
import { parseModelCard, readModelCard } from "../../src/model/card";
import { checkModelFile, fileSha256, filesHashedCount, loadModel } from "../../src/model/load";
import { availableDevices, ModelError } from "../../src/model/onnx";
import { argmax } from "../../src/util/math";
import { linearModel, tempDir, writeTestModel } from "../support/onnx-graphs";
import { MODELS, PHOTOS } from "../support/paths";

test("loadModel(name) finds squeezenet1.1-fp32 through searchPaths and classifies the pelican", async () => {
  const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [MODELS] });
  assert.equal(model.numClasses, 1000);
  assert.equal(model.labels[144], "pelican");
  const image = await loadImage(path.join(PHOTOS, "pelican.jpeg"), model.card);
  const [out] = await model.run([image]);
  assert.equal(argmax(out.probs), 144);
  assert.ok(Math.abs(out.probs.reduce((a, b) => a + b, 0) - 1) < 1e-3, "probabilities sum to 1");
  assert.equal(model.forwardPasses, 1);
  await model.dispose();
});

test("loadModel(path.onnx) reads the card beside it; logits become probabilities", async () => {
  const model = await loadModel(path.join(MODELS, "mobilenetv2-12-int8.onnx"), { batchSize: 2 });
  const image = await loadImage(path.join(PHOTOS, "pelican.jpeg"), model.card);
  const outs = await model.run([image, image, image]);
  assert.equal(outs.length, 3);
  assert.ok(outs[0].logits, "keeps the logits");
  assert.ok(Math.abs(outs[0].probs.reduce((a, b) => a + b, 0) - 1) < 1e-3);
  assert.equal(argmax(outs[0].probs), 144);
  await model.dispose();
});

test("a model with a fixed batch of 1 runs any number of images", async () => {
  const weights = [new Float32Array(3 * 4 * 4).fill(0.01), new Float32Array(3 * 4 * 4)];
  const model = await loadModel(writeTestModel(linearModel({ width: 4, height: 4, weights, fixedBatch: true }), { name: "fixed", width: 4, height: 4, classes: ["a", "b"] }), { batchSize: 32 });
  assert.equal(model.batchSize, 1);
  const img = { width: 4, height: 4, data: new Float32Array(48).fill(255) };
  assert.equal((await model.run([img, img, img])).length, 3);
  await model.dispose();
});

test("an input name that is not in the model is refused, listing the real inputs", async () => {
  const file = writeTestModel(linearModel({ width: 4, height: 4, weights: [new Float32Array(48), new Float32Array(48)] }), { name: "wrong", width: 4, height: 4, classes: ["a", "b"], input: "pixels" });
  await assert.rejects(loadModel(file), /has no tensor input "pixels"; its inputs are: x/);
});

test("a card whose size does not match the model input is refused", async () => {
  const dir = tempDir("lima-card-");
  const file = writeTestModel(linearModel({ width: 4, height: 4, weights: [new Float32Array(48), new Float32Array(48)] }), { name: "size", width: 4, height: 4, classes: ["a", "b"] }, dir);
  const card = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(file, JSON.stringify({ ...card, size: [8, 8] }));
  await assert.rejects(loadModel(file), /shape \[N,3,4,4\]; expected \[N,3,8,8\]/);
});

test("a NaN from the model is an error naming the class and image", async () => {
  const model = await loadModel(writeTestModel(linearModel({ width: 4, height: 4, weights: [new Float32Array(48), new Float32Array(48)], nan: true }), { name: "nan", width: 4, height: 4, classes: ["a", "b"] }));
  await assert.rejects(model.run([{ width: 4, height: 4, data: new Float32Array(48) }]), /returned NaN for class 0 of image 0/);
  await model.dispose();
});

test("device cuda without a CUDA build is a clear error; cpu is always available", async () => {
  assert.ok(availableDevices().includes("cpu"));
  if (!availableDevices().includes("cuda")) {
    await assert.rejects(loadModel(path.join(MODELS, "squeezenet1.1-fp32.onnx"), { device: "cuda" }), /device cuda is not available/);
  }
  await assert.rejects(loadModel(path.join(MODELS, "squeezenet1.1-fp32.onnx"), { device: "tpu" as "cpu" }), /Unsupported device: tpu\. Should be one of: cpu, cuda/);
});

test("unknown model names and disabled downloads say where they looked", async () => {
  const cacheDir = tempDir("lima-cache-");
  await assert.rejects(loadModel("no-such-model", { searchPaths: [MODELS], cacheDir }), /unknown model no-such-model: no no-such-model\.json in .*built-in name/);
  await assert.rejects(loadModel("resnet18-v1-7", { searchPaths: [MODELS], cacheDir, download: false }), /downloads are disabled/);
});

test("parseModelCard reports every problem at once", () => {
  assert.throws(
    () => parseModelCard({ name: "x", file: "x.onnx", input: "in", output: "out", size: [224], resize: "squash", channels: "RGB", mean: [1, 2] }),
    (e: Error) => /"size"/.test(e.message) && /"resize" "squash" is not one of stretch, shorter-side-256-center-crop/.test(e.message) && /"mean"/.test(e.message),
  );
});

test("a local model file whose sha256 is not its card's is refused, naming the file, both hashes and what to do; each file version is hashed once", async () => {
  const dir = tempDir("lima-sha-");
  const weights = [new Float32Array(48).fill(0.01), new Float32Array(48)];
  const bytes = linearModel({ width: 4, height: 4, weights });
  const cardFile = writeTestModel(bytes, { name: "hashed", width: 4, height: 4, classes: ["a", "b"] }, dir);
  const onnxFile = path.join(dir, "hashed.onnx");
  const actual = createHash("sha256").update(bytes).digest("hex");
  const card = JSON.parse(readFileSync(cardFile, "utf8"));
  const wrong = "ab".repeat(32);
  writeFileSync(cardFile, JSON.stringify({ ...card, sha256: wrong }));
  const before = filesHashedCount();
  await assert.rejects(loadModel(cardFile), (e: unknown) => {
    assert.ok(e instanceof ModelError);
    assert.equal(e.message, `model file ${onnxFile} has sha256 ${actual}, but its card ${cardFile} expects ${wrong}: the file is not the one the card describes (changed, truncated or replaced). Put back the original file, or, if this file is meant, set "sha256" in the card to ${actual} (or remove the field)`);
    return true;
  });
  assert.equal(filesHashedCount() - before, 1);
  // The right hash (any case) loads; loading again does not read the file again.
  writeFileSync(cardFile, JSON.stringify({ ...card, sha256: actual.toUpperCase() }));
  for (let i = 0; i < 3; i++) await (await loadModel(cardFile)).dispose();
  assert.equal(filesHashedCount() - before, 1, "cached by path, size and modification time");
  assert.equal(fileSha256(onnxFile), actual);
  // A replaced file (another size, a new modification time) is hashed again and refused.
  writeFileSync(onnxFile, linearModel({ width: 4, height: 4, weights: [...weights, new Float32Array(48)] }));
  await assert.rejects(loadModel(cardFile), /has sha256 [0-9a-f]{64}, but its card .* expects/);
  assert.equal(filesHashedCount() - before, 2);
  // A card passed in is checked too; a malformed hash is a card error.
  await assert.rejects(loadModel(onnxFile, { card: parseModelCard({ ...card, sha256: wrong }) }), /but the card passed in expects abab/);
  assert.throws(() => parseModelCard({ ...card, sha256: "abc" }), /"sha256" must be the file's SHA-256 as 64 hexadecimal digits, got "abc"/);
});

test("the shared models' cards carry their file's sha256, and it checks", () => {
  for (const name of ["squeezenet1.1-fp32", "mobilenetv2-12-int8"]) {
    const card = readModelCard(path.join(MODELS, `${name}.json`));
    assert.match(card.sha256 ?? "", /^[0-9a-f]{64}$/, `${name}'s card gives a sha256`);
    const file = path.join(MODELS, card.file);
    assert.doesNotThrow(() => checkModelFile(file, card));
    assert.equal(fileSha256(file), card.sha256);
    assert.throws(() => checkModelFile(file, { ...card, sha256: "0".repeat(64) }), new RegExp(`model file ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has sha256 ${card.sha256}`));
  }
});
