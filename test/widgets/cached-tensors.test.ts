import assert from "node:assert/strict";
import test from "node:test";
import { Explainer, loadModel } from "../../src";
import type { BlackBoxModel } from "../../src/model/types";
import { CachedModel, tensorKey } from "../../src/widgets/cached-model";
import { regionCurves } from "../../src/widgets/curves";
import type { RgbImage } from "../../src/types";
import { fakeModel } from "../support/fake-model";
import { interactionModel, rectMask, writeTestModel } from "../support/onnx-graphs";

const W = 8, H = 8;
const card = () => writeTestModel(interactionModel({ width: W, height: H, masks: [rectMask(W, H, 0, 0, 4, 4), rectMask(W, H, 4, 4, 8, 8)], combine: "or", gain: 2 }), {
  name: "cached-tensors", width: W, height: H, classes: ["a", "b"],
});
const picture = (k: number): RgbImage => ({ width: W, height: H, data: Float32Array.from({ length: W * H * 3 }, (_, i) => ((i * (k + 2)) % 9) * 30) });
const probs = (outs: readonly { probs: Float32Array }[]) => outs.map((o) => [...o.probs]);

/** The model without its tensorInput: the RGB path. */
function rgbOnly(model: BlackBoxModel): BlackBoxModel {
  return {
    name: model.name, inputSize: model.inputSize, numClasses: model.numClasses, labels: model.labels, batchSize: model.batchSize,
    get forwardPasses() { return model.forwardPasses; },
    get inferenceMs() { return model.inferenceMs; },
    run: (images, control) => model.run(images, control),
    dispose: async () => undefined,
  };
}

test("CachedModel.tensorInput: only over a model that has one; runWritten runs each distinct tensor once, serves repeats and later requests from the cache, and reports every image to onBatch", async () => {
  assert.equal(new CachedModel(fakeModel(() => 0.5, { width: W, height: H })).tensorInput, undefined);
  const model = await loadModel(card(), { batchSize: 2 });
  try {
    const cached = new CachedModel(model);
    const tensors = cached.tensorInput!;
    const images = [0, 1, 2, 1, 3].map(picture);
    const expected = probs(await model.run(images));
    const passes = model.forwardPasses;
    const inputs = images.map((im) => tensors.normalise(im));
    const reported: number[] = [];
    const outs = await tensors.runWritten(5, (i, out) => out.set(inputs[i]), { onBatch: (start, o) => o.forEach((_, k) => reported.push(start + k)) });
    assert.deepEqual(probs(outs), expected);
    assert.equal(model.forwardPasses - passes, 4, "four distinct tensors");
    assert.equal(cached.hits, 1, "the repeat of image 1");
    assert.deepEqual(reported.sort(), [0, 1, 2, 3, 4]);
    const again = await tensors.runTensors([inputs[3], inputs[0]]);
    assert.deepEqual(probs(again), [expected[3], expected[0]]);
    assert.equal(model.forwardPasses - passes, 4, "all cached");
    assert.equal(cached.hits, 3);
    assert.notEqual(tensorKey(inputs[0]), tensorKey(inputs[1]));
    await assert.rejects(tensors.runTensors([new Float32Array(5)]), /input tensor 0 has 5 values; model cached-tensors needs 192/);
    // An abort: what came back before it stays cached.
    const ac = new AbortController();
    const fresh = [4, 5, 6, 7, 8, 9].map((k) => tensors.normalise(picture(k)));
    await assert.rejects(tensors.runWritten(6, (i, out) => out.set(fresh[i]), { signal: ac.signal, onBatch: () => ac.abort() }), (e: Error) => e.name === "AbortError");
    // Count what the retry sends to the model (the aborted call's last batch may still be finishing in the worker).
    const inner = model.tensorInput!, original = inner.runWritten;
    let sent = 0;
    inner.runWritten = (count, write, control) => ((sent += count), original(count, write, control));
    const retried = await tensors.runWritten(6, (i, out) => out.set(fresh[i]));
    assert.ok(sent >= 1 && sent < 6, `${sent} of 6 ran again after the abort`);
    assert.deepEqual(probs(retried), probs(await model.run([4, 5, 6, 7, 8, 9].map(picture))));
  } finally {
    await model.dispose();
  }
});

test("an explanation through CachedModel goes the tensor path, and the explorer's curves of its order then need no model run and equal the RGB path's", async () => {
  const model = await loadModel(card(), { batchSize: 4 });
  try {
    const cached = new CachedModel(model);
    let written = 0;
    const original = cached.tensorInput!.runWritten;
    cached.tensorInput!.runWritten = (count, write, control) => ((written += count), original(count, write, control));
    const image = picture(1);
    const r = await new Explainer(cached, { division: { method: "grid", regions: 4 }, np: 2 }).explain(image);
    assert.ok(written > 0, "the subset images went through the cached tensor path");
    const passes = model.forwardPasses;
    const curves = await regionCurves(cached, image, r.division, r.order, r.target.index);
    assert.equal(model.forwardPasses, passes, "every curve image was cached by the explanation");
    const viaRgb = await regionCurves(rgbOnly(model), image, r.division, r.order, r.target.index);
    assert.deepEqual(curves.insertion.y, viaRgb.insertion.y);
    assert.deepEqual(curves.deletion.y, viaRgb.deletion.y);
    assert.deepEqual(curves.insertion.y, [...r.insertion.y]);
  } finally {
    await model.dispose();
  }
});
