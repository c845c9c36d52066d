import assert from "node:assert/strict";
import { test } from "node:test";
import { onnx } from "onnx-proto";
import { loadModel } from "../../src";
import { gridDivision } from "../../src/division";
import { exposeFeatureOutput, regionEvidence, trainAmortised, untrainedAmortised } from "../../src/methods/salvage";
import type { RgbImage } from "../../src/types";
import { createRandom } from "../../src/util/random";
import { tempDir, writeTestModel } from "../support/onnx-graphs";

const SIDE = 16, C = 3;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/**
 * x [N,3,16,16] → "cam" = 1×1 convolution (class c reads channel c) → y = 2 · global average of
 * cam. The internal tensor "cam" is the spatial class evidence; its spatial mean is half the logit,
 * so an explainer that reads cam must learn to double it.
 */
function camModel(): Uint8Array {
  const w = new Float32Array(C * 3);
  for (let c = 0; c < C; c++) w[c * 3 + c] = 1;
  const vi = (name: string, dims: (number | string)[]): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } } });
  const model: onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "cam",
      node: [
        { opType: "Conv", input: ["x", "W"], output: ["cam"], name: "conv" },
        { opType: "GlobalAveragePool", input: ["cam"], output: ["gap"], name: "gap" },
        { opType: "Flatten", input: ["gap"], output: ["flat"], name: "flat" },
        { opType: "Mul", input: ["flat", "two"], output: ["y"], name: "mul" },
      ],
      initializer: [
        { name: "W", dims: [C, 3, 1, 1], dataType: FLOAT, rawData: new Uint8Array(w.buffer) },
        { name: "two", dims: [1], dataType: FLOAT, rawData: new Uint8Array(Float32Array.from([2]).buffer) },
      ],
      input: [vi("x", ["N", 3, SIDE, SIDE])],
      output: [vi("y", ["N", C])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Images with a coloured blob on a grey-ish background; the blob's colour decides the class. */
function images(n: number, seed: number): RgbImage[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, k) => {
    const data = new Float32Array(SIDE * SIDE * 3);
    const colour = k % C, x0 = random.int(8), y0 = random.int(8);
    for (let p = 0; p < SIDE * SIDE; p++) {
      const x = p % SIDE, y = Math.floor(p / SIDE);
      const inBlob = x >= x0 && x < x0 + 8 && y >= y0 && y < y0 + 8;
      for (let ch = 0; ch < 3; ch++) data[3 * p + ch] = inBlob ? (ch === colour ? 255 : 20) : 60 + 40 * random.next();
    }
    return { width: SIDE, height: SIDE, data };
  });
}

async function models() {
  const card = writeTestModel(camModel(), { name: "cam", width: SIDE, height: SIDE, classes: ["r", "g", "b"] });
  const withFeatures = exposeFeatureOutput(card, "cam", tempDir("features-"));
  return { model: await loadModel(card, { batchSize: 64 }), backbone: await loadModel(withFeatures, { batchSize: 64 }) };
}

test("exposeFeatureOutput + regionEvidence: Σ_i cam_{i,c} is the spatial mean of the exposed map (= half the logit here)", async () => {
  const { model, backbone } = await models();
  try {
    const [img] = images(1, 1);
    const [out] = await backbone.run([img]);
    assert.equal(out.features.length, C * SIDE * SIDE);
    const [plain] = await model.run([img]);
    const ev = regionEvidence(out.features, C, gridDivision(SIDE, SIDE, { n: 4 }));
    for (let c = 0; c < C; c++) assert.ok(Math.abs(2 * ev.logits[c] - plain.logits![c]) < 1e-3, `class ${c}`);
    assert.throws(() => exposeFeatureOutput(writeTestModel(camModel(), { name: "cam2", width: SIDE, height: SIDE, classes: ["r", "g", "b"] }), "nope", tempDir()), /tensor "nope" is not produced/);
  } finally {
    await model.dispose();
    await backbone.dispose();
  }
});

test("trainAmortised lowers the JS loss, explains with one forward pass, and its classifier agrees with the model on held-out images", async () => {
  const { model, backbone } = await models();
  try {
    const train = images(12, 2), held = images(9, 3);
    const explainer = await trainAmortised(model, backbone, train, { masks: 24, epochs: 40, regions: 16, topk: 3, learningRate: 0.03, seed: 1 });
    assert.ok(explainer.losses.at(-1)! < 0.5 * explainer.losses[0], `loss ${explainer.losses[0]} → ${explainer.losses.at(-1)}`);
    const before = backbone.forwardPasses;
    let agree = 0;
    for (const img of held) {
      const [out] = await model.run([img]);
      const predicted = out.probs.indexOf(Math.max(...out.probs));
      const e = await explainer.explain(img, { division: gridDivision(SIDE, SIDE, { n: 4 }) });
      if (e.predicted === predicted) agree++;
      assert.equal(e.phi.length, 16);
      assert.ok(e.phi.every(Number.isFinite));
    }
    assert.equal(backbone.forwardPasses - before, held.length, "one backbone pass per explanation");
    assert.ok(agree >= 8, `agreement ${agree}/9`);
    // The untrained (CAM) explainer reproduces the model's class by construction.
    const cam = untrainedAmortised(backbone, { regions: 16 });
    const e0 = await cam.explain(held[0]);
    const [o0] = await model.run([held[0]]);
    assert.equal(e0.predicted, o0.probs.indexOf(Math.max(...o0.probs)));
    await assert.rejects(trainAmortised(model, backbone, [], {}), /at least 1 image/);
  } finally {
    await model.dispose();
    await backbone.dispose();
  }
});
