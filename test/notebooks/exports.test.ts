import assert from "node:assert/strict";
import { test } from "node:test";
import * as lib from "../../src/index";

test("the package entry exports Sum-of-Parts' theory (notebook 6): the monomial's least deletion error next to the one group's zero", () => {
  const d = 4;
  const f = lib.monomial(d);
  assert.deepEqual(lib.minMonomialDeletionError(d), { error: 5, alpha: 0.5 });
  const all = 2 ** d - 1;
  assert.equal(lib.totalError(d, (s) => lib.groupedDeletionError(f, d, [{ mask: all, score: 1 }], s)), 0);
  assert.equal(lib.totalError(d, (s) => lib.deletionError(f, d, [0.5, 0.5, 0.5, 0.5], s)), 5);
  assert.ok(lib.minBinomialInsertionError(6).error > 0);
  assert.ok(Math.abs(lib.fitExponential([{ d: 1, error: Math.E }, { d: 2, error: Math.E ** 2 }]).gamma1 - 1) < 1e-12);
});

test("the package entry exports grouped attributions and their curves (notebook 6): prefix groups, threshold groups, grouped insertion", async () => {
  const division: lib.Division = { width: 2, height: 1, count: 2, labels: Int32Array.from([0, 1]), method: "grid" };
  const groups = lib.prefixGroups([1, 0], division, [0, 0.75, 1]);
  assert.deepEqual(groups.map((g) => [...g.mask]), [[0, 1], [1, 1]]);
  assert.deepEqual(groups.map((g) => g.score), [0.75, 0.25]);
  assert.deepEqual(lib.thresholdGroups({ width: 2, height: 1, data: Float32Array.from([0.2, 0.9]) }, [0.5]).map((g) => [...g.mask]), [[0, 1]]);
  assert.deepEqual(lib.rankGroups(groups), [0, 1]);
  // A model whose class-0 probability is the mean brightness of the image / 255.
  const model = {
    name: "mean", inputSize: { width: 2, height: 1 }, numClasses: 2, labels: ["bright", "dark"], batchSize: 8, forwardPasses: 0, inferenceMs: 0,
    async run(images: readonly { data: Float32Array }[]) {
      return images.map((im) => {
        const p = im.data.reduce((a, b) => a + b, 0) / im.data.length / 255;
        return { probs: Float32Array.from([p, 1 - p]), features: Float32Array.from([p]) };
      });
    },
    async dispose() {},
  };
  const image = { width: 2, height: 1, data: new Float32Array(6).fill(255) };
  const curve = await lib.groupedCurve(model, image, groups, "insertion", { target: 0 });
  assert.deepEqual(curve.x, [0, 0.5, 1]);
  assert.deepEqual(curve.y.map((y) => Math.round(y * 100) / 100), [0, 0.5, 1]);
});
