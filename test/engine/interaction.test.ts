import assert from "node:assert/strict";
import { test } from "node:test";
import { Explainer, loadModel, type LoadedModel } from "../../src";
import { interactionModel, rectMask, writeTestModel } from "../support/onnx-graphs";

const W = 16, H = 16, GAIN = 4;
const sigma = 1 / (1 + Math.exp(-GAIN));
// grid 16 on 16×16: region r covers the 4×4 patch at column r % 4, row ⌊r / 4⌋.
const A = 5, B = 10;
const patch = (r: number) => rectMask(W, H, (r % 4) * 4, Math.floor(r / 4) * 4, (r % 4) * 4 + 4, Math.floor(r / 4) * 4 + 4);
const white = { width: W, height: H, data: new Float32Array(W * H * 3).fill(255) };

async function model(combine: "and" | "or", batchSize = 32): Promise<LoadedModel> {
  const card = writeTestModel(interactionModel({ width: W, height: H, masks: [patch(A), patch(B)], combine, gain: GAIN }), {
    name: combine, width: W, height: H, classes: ["target", "other"],
  });
  return loadModel(card, { batchSize });
}

/** 1 − H(p)/log C for two classes. */
const conf2 = (p: number) => 1 + (p * Math.log(p + 1e-7) + (1 - p) * Math.log(1 - p + 1e-7)) / Math.log(2);

for (const search of ["greedy", "bidirectional"] as const) {
  test(`explain(AND model, ${search}) puts the two interacting regions first with exact scores`, async () => {
    const m = await model("and");
    const result = await new Explainer(m, { search, np: 4, division: { method: "grid", regions: 16 } }).explain(white, { target: 0 });
    assert.deepEqual(result.order.slice(0, 2), [A, B]);
    const [first, second] = result.steps;
    // {A} alone: min(1, 0) = 0 → p = ½; its complement still lacks A → p = ½.
    assert.ok(Math.abs(first.terms.cons - 0.5) < 1e-6);
    assert.ok(Math.abs(first.terms.colla - 0.5) < 1e-6);
    assert.ok(Math.abs(first.terms.F - (20 * 0.5 + 5 * 0.5)) < 1e-5);
    // {A, B}: both revealed → σ(gain); complement has neither → ½. Zero-logit features → d = ½ each.
    assert.ok(Math.abs(second.terms.cons - sigma) < 1e-6);
    assert.ok(Math.abs(second.terms.colla - 0.5) < 1e-6);
    assert.ok(Math.abs(second.terms.conf - conf2(sigma)) < 1e-5);
    assert.ok(Math.abs(second.terms.eff - 1) < 1e-6);
    // Region insertion: ½ until both are in, σ(gain) after.
    assert.equal(result.insertion.y.length, 17);
    assert.ok(Math.abs(result.insertion.y[1] - 0.5) < 1e-6 && Math.abs(result.insertion.y[2] - sigma) < 1e-6);
    await m.dispose();
  });

  test(`explain(OR model, ${search}) finds either region alone sufficient`, async () => {
    const m = await model("or");
    const result = await new Explainer(m, { search, np: 4, division: { method: "grid", regions: 16 } }).explain(white, { target: 0 });
    assert.deepEqual(result.order.slice(0, 2), [A, B]);
    const [first, second] = result.steps;
    // {A}: max(1, 0) → σ; its complement still holds B → σ, so colla = 1 − σ.
    assert.ok(Math.abs(first.terms.cons - sigma) < 1e-6);
    assert.ok(Math.abs(first.terms.colla - (1 - sigma)) < 1e-6);
    // {A, B}: complement holds neither → colla = ½.
    assert.ok(Math.abs(second.terms.colla - 0.5) < 1e-6);
    assert.ok(Math.abs(result.insertion.y[1] - sigma) < 1e-6);
    assert.ok(Math.abs(result.deletion.y[2] - 0.5) < 1e-6, "deleting A and B drops the score to ½");
    await m.dispose();
  });
}

test("explain gives the same result for batch sizes 1, 7 and 32", async () => {
  const results = [];
  for (const batch of [1, 7, 32]) {
    const m = await model("and", batch);
    results.push((await new Explainer(m, { division: { method: "grid", regions: 16 } }).explain(white)).toJSON());
    await m.dispose();
  }
  const strip = (r: Record<string, unknown>) => ({ ...r, ms: 0, inferenceMs: 0 });
  assert.deepEqual(strip(results[1]), strip(results[0]));
  assert.deepEqual(strip(results[2]), strip(results[0]));
});
