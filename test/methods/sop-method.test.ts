import assert from "node:assert/strict";
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { gridDivision } from "../../src/division";
import { loadModel } from "../../src/model/load";
import { getMethod } from "../../src/methods/registry";
import { encodePhoto, loadSopBackbone, serialiseGroupSelect, trainSumOfParts } from "../../src/methods/sop";
import { sopWeightsFile } from "../../src/methods/sop/method";
import type { RgbImage } from "../../src/types";
import { createRandom } from "../../src/util/random";
import { inSquare, SQUARE_SIDE, whiteImage } from "../support/fake-model";
import { linearModel, tempDir, writeTestModel } from "../support/onnx-graphs";

// The square world as an ONNX linear classifier: class 0's logit is 8 × the mean red of the
// square [8,16)² (red scaled to 0..1), class 1's is 4; so a white square gives class 0.
const N = SQUARE_SIDE * SQUARE_SIDE;
const square = Float32Array.from({ length: 3 * N }, (_, i) => (i < N && inSquare(i) ? 8 / 64 : 0));
const bytes = linearModel({ width: SQUARE_SIDE, height: SQUARE_SIDE, weights: [square, new Float32Array(3 * N)], bias: [0, 4] });

test("registered method \"sop\" keeps the shared result contract once its GroupSelect is trained", async () => {
  const dir = tempDir("sop-");
  writeTestModel(bytes, { name: "sop-square", width: SQUARE_SIDE, height: SQUARE_SIDE, classes: ["square", "rest"] }, dir);
  process.env.LIMA_XAI_MODELS = dir;
  process.env.LIMA_XAI_SOP_DIR = path.join(dir, "sop");
  const division = gridDivision(SQUARE_SIDE, SQUARE_SIDE, { n: 3 });
  const model = await loadModel("sop-square");
  // Without training the method says what to do.
  await assert.rejects(getMethod("sop").create(model).attribute(whiteImage(SQUARE_SIDE, SQUARE_SIDE), { target: 0, division }), /no trained SOP GroupSelect for model sop-square .*lima-xai sop-train/);
  // Train on random grey-level photos (the backbone's own predictions are the labels).
  const backbone = await loadSopBackbone("sop-square");
  const random = createRandom(3);
  const photos = [];
  for (let i = 0; i < 12; i++) {
    const image: RgbImage = { width: SQUARE_SIDE, height: SQUARE_SIDE, data: Float32Array.from({ length: 3 * N }, () => random.int(256)) };
    photos.push(await encodePhoto(backbone, image, { division }));
  }
  await backbone.dispose();
  const { weights } = trainSumOfParts(backbone.head, photos, { epochs: 5, d: 8 });
  mkdirSync(path.dirname(sopWeightsFile("sop-square")), { recursive: true });
  writeFileSync(sopWeightsFile("sop-square"), serialiseGroupSelect(weights));

  const run = async () => {
    const attributor = getMethod("sop").create(model);
    try {
      return await attributor.attribute(whiteImage(SQUARE_SIDE, SQUARE_SIDE), { target: 0, division });
    } finally {
      await attributor.dispose?.();
    }
  };
  const result = await run();
  assert.equal(result.method, "sop");
  assert.equal(result.map.data.length, N);
  assert.ok(result.map.data.every(Number.isFinite));
  assert.equal(result.forwardPasses, 2 * division.count + 1, "one pass per group (radii 1 and 2) and one for the photo");
  assert.equal(result.division?.count, division.count);
  const groups = result.groups ?? [];
  assert.ok(groups.length >= 1);
  const logit = Number(result.details?.sopLogit);
  assert.ok(Math.abs(groups.reduce((s, g) => s + g.score, 0) - logit) < 1e-6, "the groups' scores sum to SOP's logit");
  const again = await run();
  assert.deepEqual(Array.from(again.map.data), Array.from(result.map.data), "deterministic");
  await model.dispose();
});
