import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gridDivision } from "../../src/division";
import {
  classQueries, encodePhoto, exposeBackbone, groupSelect, initGroupSelect, loadSopBackbone, neighbourhoodGroups, predictSop, sparsemax, sparsemaxBackward, trainGroupSelect,
} from "../../src/methods/sop";
import type { RgbImage } from "../../src/types";
import { createRandom } from "../../src/util/random";
import { linearModel, writeTestModel } from "../support/onnx-graphs";

const W = 6, H = 4, C = 3;
const random = createRandom(7);
const weights = Array.from({ length: C }, () => Float32Array.from({ length: 3 * W * H }, () => random.next() - 0.5));
const bias = [0.1, -0.2, 0.3];
const image: RgbImage = { width: W, height: H, data: Float32Array.from({ length: W * H * 3 }, () => Math.round(random.next() * 255)) };
const near = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

/** The test's own reading of the linear model: logit_k of an image = Σ w_k · (NCHW pixels / 255) + b_k. */
function logitOf(img: RgbImage, k: number): number {
  let s = bias[k];
  for (let c = 0; c < 3; c++) for (let p = 0; p < W * H; p++) s += weights[k][c * W * H + p] * (img.data[3 * p + c] / 255);
  return s;
}

test("sparsemax(a) lies on the simplex, is sparse, and its backward matches finite differences", () => {
  const a = [0.9, 0.1, 0.5, -1];
  const c = new Float64Array(4);
  sparsemax(a, c);
  near(c.reduce((x, y) => x + y, 0), 1, 1e-12);
  assert.deepEqual(Array.from(c).map((v) => +v.toFixed(6)), [0.7, 0, 0.3, 0]);
  const g = [0.3, -0.2, 0.8, 1];
  const analytic = sparsemaxBackward(c, g);
  for (let i = 0; i < 4; i++) {
    const plus = new Float64Array(4), minus = new Float64Array(4);
    sparsemax(a.map((v, j) => v + (i === j ? 1e-6 : 0)), plus);
    sparsemax(a.map((v, j) => v - (i === j ? 1e-6 : 0)), minus);
    const numeric = g.reduce((s, gj, j) => s + gj * (plus[j] - minus[j]) / 2e-6, 0);
    near(analytic[i], numeric, 1e-6);
  }
});

test("exposeBackbone reads the test graph's MatMul + Add head exactly", () => {
  const ex = exposeBackbone(linearModel({ width: W, height: H, weights, bias }), "y");
  assert.equal(ex.head.kind, "matmul");
  assert.equal(ex.head.h, 3 * W * H);
  assert.equal(ex.head.classes, C);
  for (let k = 0; k < C; k++) {
    near(ex.head.b[k], bias[k], 1e-7);
    for (let j = 0; j < ex.head.h; j++) assert.equal(ex.head.W[k * ex.head.h + j], weights[k][j]);
  }
  assert.throws(() => exposeBackbone(linearModel({ width: W, height: H, weights }), "nope"), /cannot find the node that computes nope/);
});

test("the SOP wrapper's prediction is the weighted sum of its groups' partial logits (faithful by construction)", async () => {
  const card = writeTestModel(linearModel({ width: W, height: H, weights, bias }), { name: "sop-linear", width: W, height: H, classes: ["a", "b", "c"] });
  const backbone = await loadSopBackbone(card);
  try {
    const division = gridDivision(W, H, { n: 2 });
    const photo = await encodePhoto(backbone, image, { division });
    const G = photo.masks.length;
    assert.equal(G, 8, "radii 1 and 2 on 4 regions");
    // Every partial logit is what the test computes for the group alone on black.
    photo.masks.forEach((mask, i) => {
      const alone: RgbImage = { width: W, height: H, data: image.data.map((v, q) => (mask[Math.floor(q / 3)] ? v : 0)) };
      for (let k = 0; k < C; k++) near(photo.y[k * G + i], logitOf(alone, k));
    });
    const fullLogits = [0, 1, 2].map((k) => logitOf(image, k));
    assert.equal(photo.predicted, fullLogits.indexOf(Math.max(...fullLogits)));
    const w = initGroupSelect(backbone.head.h, 4, 3);
    for (let target = 0; target < C; target++) {
      const r = predictSop(backbone.head, w, photo, target);
      near(r.weights.reduce((a, b) => a + b, 0), 1, 1e-9);
      const bySum = photo.masks.reduce((s, _, i) => s + r.weights[i] * photo.y[target * G + i], 0);
      near(r.logits[target], bySum, 1e-9);
      near(r.groups.reduce((s, g) => s + g.score, 0), r.logits[target], 1e-9);
      assert.ok(r.groups.every((g) => g.score !== 0 && g.regions!.length >= 1));
    }
  } finally {
    await backbone.dispose();
  }
  assert.ok(readFileSync(card, "utf8").includes("sop-linear"));
});

test("neighbourhoodGroups joins each region with the regions it touches", () => {
  const { regions } = neighbourhoodGroups(gridDivision(6, 6, { n: 3 }), [1]);
  assert.deepEqual(regions[0], [0, 1, 3]);
  assert.deepEqual(regions[4], [1, 3, 4, 5, 7]);
  const two = neighbourhoodGroups(gridDivision(6, 6, { n: 3 }), [1, 2]);
  assert.equal(two.regions.length, 18);
  assert.deepEqual(two.regions[9], [0, 1, 2, 3, 4, 6], "region 0 within two steps");
  assert.throws(() => neighbourhoodGroups(gridDivision(6, 6, { n: 3 }), [-1]), /group radius -1 is not allowed/);
});

test("trainGroupSelect learns to select the group that carries the class (toy, 2 classes)", () => {
  // h = 2; C = identity, b = 0: group i's partial logit for class k is z_i[k]. One informative
  // group per example (strong evidence for its label) among distractors that favour the other class.
  const head = { classes: 2, h: 2, W: Float32Array.from([1, 0, 0, 1]), b: new Float32Array(2), kind: "toy", exact: true };
  const rnd = createRandom(11);
  const examples = Array.from({ length: 40 }, () => {
    const label = rnd.int(2);
    const groups = 4;
    const z = new Float32Array(groups * 2);
    for (let i = 0; i < groups; i++) {
      z[i * 2 + label] = i === 0 ? 3 : 0;
      z[i * 2 + (1 - label)] = i === 0 ? 0 : 1.5;
    }
    const y = new Float64Array(2 * groups);
    for (let k = 0; k < 2; k++) for (let i = 0; i < groups; i++) y[k * groups + i] = z[i * 2 + k];
    return { z, y, groups, label };
  });
  // Near-zero start: every group scored alike, so GroupSelect begins as the plain average of groups.
  const init = initGroupSelect(2, 2, 0);
  const start = { ...init, Wq: init.Wq.map((v) => v * 1e-3), Wk: init.Wk.map((v) => v * 1e-3) };
  const untrained = examples.filter((ex) => {
    const out = groupSelect(ex.z, ex.y, ex.groups, classQueries(head, start), start);
    return (out.logits[1] > out.logits[0] ? 1 : 0) === ex.label;
  }).length / examples.length;
  assert.equal(untrained, 0, "the plain average picks the distractors' class");
  const accuracy: number[] = [];
  const { losses } = trainGroupSelect(head, start, examples, { epochs: 60, learningRate: 0.05, onEpoch: (_, __, acc) => accuracy.push(acc) });
  assert.ok(losses[losses.length - 1] < losses[0] * 0.5, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
  assert.equal(accuracy[accuracy.length - 1], 1, `final agreement ${accuracy[accuracy.length - 1]}`);
});
