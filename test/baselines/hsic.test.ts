import assert from "node:assert/strict";
import { test } from "node:test";
import { hsicAttribution } from "../../src/baselines";
import { balancedDesign, binaryHsic, centredOutputGram } from "../../src/baselines/hsic";
import { rankPixels } from "../../src/metrics";
import { createRandom } from "../../src/util/random";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";

const W = SQUARE_SIDE, H = SQUARE_SIDE;

test("hsicAttribution(square model) puts the four cells of the square on top; N passes; seeded", async () => {
  const model = fakeModel(squareScore, { width: W, height: H, batchSize: 40 });
  // A 6 × 6 grid has 4-pixel cells: the square [8, 16)² is exactly cells (2..3, 2..3).
  const map = await hsicAttribution(model, whiteImage(W, H), { target: 0, designs: 200, grid: 6, seed: 4 });
  assert.equal(model.forwardPasses, 200);
  assert.ok(map.data.every((v) => v >= 0 && Number.isFinite(v)), "HSIC is a non-negative dependence measure");
  const top = rankPixels(map).slice(0, 36);
  assert.ok(top.every(inSquare), `the 36 highest pixels lie in the square (${top.filter(inSquare).length})`);
  const corner = map.data[0];
  const centre = map.data[12 * W + 12];
  assert.ok(centre > 20 * corner, `cells outside the square carry ~no dependence: ${corner} vs ${centre}`);
  const again = await hsicAttribution(model, whiteImage(W, H), { target: 0, designs: 200, grid: 6, seed: 4 });
  assert.deepEqual(again.data, map.data);
  const other = await hsicAttribution(model, whiteImage(W, H), { target: 0, designs: 200, grid: 6, seed: 5 });
  assert.notDeepEqual(other.data, map.data, "another seed draws another design");
});

test("binaryHsic equals tr(K·HLH)/(N−1)² with the Dirac kernel, computed the long way", () => {
  const random = createRandom(9);
  const n = 12;
  const y = Float64Array.from({ length: n }, () => random.next());
  const x = Uint8Array.from({ length: n }, () => (random.next() < 0.5 ? 1 : 0));
  const lc = centredOutputGram(y)!;
  let trace = 0;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) trace += (x[a] === x[b] ? 1 : 0) * lc[b * n + a];
  assert.ok(Math.abs(binaryHsic(x, lc) - trace / (n - 1) ** 2) < 1e-12);
  // The centred Gram by matrices: L with σ = median |y_a − y_b| over a < b, then H·L·H.
  const d = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) d.push(Math.abs(y[a] - y[b]));
  d.sort((p, q) => p - q);
  const sigma = (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
  const L = (a: number, b: number) => Math.exp(-((y[a] - y[b]) ** 2) / (2 * sigma * sigma));
  const Hm = (a: number, b: number) => (a === b ? 1 : 0) - 1 / n;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let v = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v += Hm(a, i) * L(i, j) * Hm(j, b);
      assert.ok(Math.abs(v - lc[a * n + b]) < 1e-12, `HLH[${a}][${b}]`);
    }
  }
  // A variable independent of y by construction (each y value seen once with x = 0 and once with 1) scores 0.
  const twice = Float64Array.from([...y, ...y]);
  const split = Uint8Array.from([...new Array(n).fill(0), ...new Array(n).fill(1)]);
  assert.ok(Math.abs(binaryHsic(split, centredOutputGram(twice)!)) < 1e-12);
});

test("balancedDesign keeps every cell in exactly half of the designs", () => {
  const d = balancedDesign(5, 40, createRandom(1));
  for (let c = 0; c < 5; c++) assert.equal(d.subarray(c * 40, (c + 1) * 40).reduce((s, v) => s + v, 0), 20);
  assert.notDeepEqual(d.subarray(0, 40), d.subarray(40, 80), "columns are shuffled independently");
});

test("a model whose output never changes gives an all-zero map, not NaN", async () => {
  const model = fakeModel(() => 0.7, { width: W, height: H });
  const map = await hsicAttribution(model, whiteImage(W, H), { target: 0, designs: 8, grid: 2 });
  assert.ok(map.data.every((v) => v === 0));
});

test("bad HSIC options name the value and what is allowed", async () => {
  const model = fakeModel(squareScore, { width: W, height: H });
  await assert.rejects(hsicAttribution(model, whiteImage(W, H), { target: 0, designs: 7 }), /designs 7 is not allowed: use an even number ≥ 4/);
  await assert.rejects(hsicAttribution(model, whiteImage(W, H), { target: 0, grid: 30 }), /grid n 30 is not allowed: use an integer 1\.\.24 \(at most the shorter image side\)/);
  await assert.rejects(hsicAttribution(model, whiteImage(W, H), { target: 0, grid: 0 }), /grid 0 is not allowed: use an integer ≥ 1/);
  assert.equal(model.forwardPasses, 0, "nothing runs before the options are checked");
});

test("hsicAttribution reports progress per batch and stops when its signal aborts", async () => {
  const model = fakeModel(squareScore, { width: W, height: H, batchSize: 8 });
  const seen: { done: number; total: number }[] = [];
  await hsicAttribution(model, whiteImage(W, H), { target: 0, designs: 24, grid: 3, onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen, [{ done: 8, total: 24 }, { done: 16, total: 24 }, { done: 24, total: 24 }]);
  const controller = new AbortController();
  const stopping = fakeModel(squareScore, { width: W, height: H, batchSize: 8 });
  const run = hsicAttribution(stopping, whiteImage(W, H), { target: 0, designs: 400, grid: 3, signal: controller.signal, onProgress: (p) => p.done >= 16 && controller.abort() });
  await assert.rejects(run, (e: Error) => e.name === "AbortError");
  assert.equal(stopping.forwardPasses, 16, "no batch after the abort");
});
