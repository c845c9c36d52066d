import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Explainer, loadImage, loadModel } from "../../src";
import { IMAGENET, MODELS, PHOTOS } from "../support/paths";

test("squeezenet1.1-fp32 on the pelican: deterministic, and the top regions carry the class", async () => {
  const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [MODELS] });
  const image = await loadImage(path.join(PHOTOS, "pelican.jpeg"), model.card);
  const options = { division: { method: "grid", regions: 16 } as const };
  const a = await new Explainer(model, options).explain(image);
  const b = await new Explainer(model, options).explain(image);
  assert.equal(a.target.index, 144);
  assert.deepEqual(a.order, b.order);
  assert.deepEqual(a.insertion.y, b.insertion.y);
  assert.deepEqual(Array.from(a.importanceMap.data), Array.from(b.importanceMap.data));
  // Faithfulness sanity: revealing the first quarter of the order keeps more of the class than deleting it.
  assert.ok(a.insertion.y[4] > a.deletion.y[4], `insertion ${a.insertion.y[4]} > deletion ${a.deletion.y[4]} after 4 regions`);
  assert.ok(a.insertion.auc > a.deletion.auc);
  // The importance map is eq. 11 normalised: the first region is 1, values never increase along the order.
  const valueOf = (r: number) => a.importanceMap.data[a.division.labels.indexOf(r)];
  assert.equal(valueOf(a.order[0]), 1);
  for (let i = 1; i < a.order.length; i++) assert.ok(valueOf(a.order[i]) <= valueOf(a.order[i - 1]));
  await model.dispose();
});

test("mobilenetv2-12-int8 explains a misclassification target (the true class) on an imagenet photo", async () => {
  const model = await loadModel("mobilenetv2-12-int8", { searchPaths: [MODELS] });
  const image = await loadImage(path.join(IMAGENET, "n01531178_goldfinch.JPEG"), model.card);
  const r = await new Explainer(model, { search: "greedy", division: { method: "grid", regions: 9 } }).explain(image, { target: "goldfinch" });
  assert.equal(r.target.index, 11);
  assert.equal(r.order.length, 9);
  assert.ok(r.highestConfidence["1"].score >= r.highestConfidence["0.25"].score);
  assert.ok(r.highestConfidence["0.25"].area <= 0.25);
  await model.dispose();
});
