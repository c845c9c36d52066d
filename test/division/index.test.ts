import assert from "node:assert/strict";
import { test } from "node:test";
import { divide, divisionKey, gridDivision, regionAreas, regionPixels, slicoDivision, validateDivision } from "../../src/division";
import type { Division, RgbImage } from "../../src/types";

/** A smooth 32×32 colour ramp. */
function ramp(width = 32, height = 32): RgbImage {
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set([(p % width) * 8, Math.floor(p / width) * 8, 128], 3 * p);
  return { width, height, data };
}

function division(labels: number[], count: number, width = labels.length, height = 1): Division {
  return { width, height, labels: Int32Array.from(labels), count, method: "test" };
}

test("divide(image, {method: 'grid'}) cuts 49 patches by default and N² for regions = N²", () => {
  const image = ramp();
  assert.equal(divide(image, { method: "grid" }).count, 49);
  assert.deepEqual(divide(image, { method: "grid", regions: 16 }).labels, gridDivision(32, 32, { n: 4 }).labels);
});

test("divide() dispatches slico (with its options), prior (any map resolution) and masks", () => {
  const image = ramp();
  assert.deepEqual(divide(image, { method: "slico", regions: 9, grid: "hex" }).labels, slicoDivision(image, { regions: 9, grid: "hex" }).labels);
  const map = { width: 4, height: 4, data: new Float32Array(16).map((_, p) => p) };
  const prior = divide(image, { method: "prior", map, n: 4, m: 2 });
  assert.equal(prior.width, 32);
  assert.equal(prior.count, 2);
  assert.equal(prior.labels[31 * 32 + 31], 0, "the bottom rows of the map are the most salient");
  assert.equal(prior.labels[0], 1);
  const left = new Uint8Array(32 * 32).map((_, p) => (p % 32 < 16 ? 1 : 0));
  const masks = divide(image, { method: "masks", masks: [left] });
  assert.equal(masks.count, 2, "the mask and the uncovered right half");
});

test("divide() refuses bad options with the allowed values", () => {
  const image = ramp(16, 16);
  assert.throws(() => divide(image, { method: "grid", regions: 50 }), /grid regions 50 is not a perfect square; use 4, 9, 16, 25, 36, 49, 64, 81, …/);
  assert.throws(() => divide(image, { method: "grid", regions: 400 }), /grid n 20 is not allowed: use an integer 1\.\.16/);
  assert.throws(() => divide(image, { method: "slico", regions: 1000 }), /regions 1000 is not allowed: use an integer in 2\.\.400/);
  assert.throws(() => divide(image, { method: "slico", regions: 100 }), /slico regions 100 is not allowed: use an integer 1\.\.64/);
  assert.throws(() => divide(image, { method: "voronoi" } as never), /division method "voronoi" is not allowed: use one of slico, grid, prior, felzenszwalb, masks, labels$/);
});

test("regionPixels lists each region's pixels in ascending order; regionAreas gives fractions summing to 1", () => {
  const d = division([2, 0, 0, 1, 2, 2], 3, 3, 2);
  assert.deepEqual(regionPixels(d).map((p) => Array.from(p)), [[1, 2], [3], [0, 4, 5]]);
  assert.deepEqual(Array.from(regionAreas(d)), [2 / 6, 1 / 6, 3 / 6]);
  const grid = gridDivision(30, 20, { n: 3 });
  assert.ok(Math.abs(regionAreas(grid).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.equal(regionPixels(grid).reduce((a, p) => a + p.length, 0), 600);
});

test("divisionKey is stable for equal label maps and changes with any label, the size or the method", () => {
  const a = gridDivision(32, 32, { n: 4 });
  const b = gridDivision(32, 32, { n: 4 });
  assert.equal(divisionKey(a), divisionKey(b));
  assert.match(divisionKey(a), /^grid16@32x32:[0-9a-f]{8}$/);
  const labels = a.labels.slice();
  labels[500] = (labels[500] + 1) % 16;
  assert.notEqual(divisionKey({ ...a, labels }), divisionKey(a));
  assert.notEqual(divisionKey({ ...a, method: "slico" }), divisionKey(a));
  assert.notEqual(divisionKey(division([0, 1, 0, 1], 2, 2, 2)), divisionKey(division([0, 1, 0, 1], 2, 4, 1)));
  // FNV-1a of the 4 zero bytes of a single label 0: 0x4b95f515.
  assert.equal(divisionKey(division([0], 1)), "test1@1x1:4b95f515");
});

test("validateDivision accepts a covering division and names the problem otherwise", () => {
  validateDivision(division([0, 1, 1, 0], 2, 2, 2));
  assert.throws(() => validateDivision(division([0, 1, 2, 0], 2, 2, 2)), /pixel 2 \(x 0, y 1\) has label 2; labels must be 0\.\.1/);
  assert.throws(() => validateDivision(division([0, -1, 1, 0], 2, 2, 2)), /pixel 1 \(x 1, y 0\) has label -1/);
  assert.throws(() => validateDivision(division([0, 0, 2, 0], 3, 2, 2)), /region 1 of 3 is empty/);
  assert.throws(() => validateDivision(division([0, 0, 0], 1, 2, 2)), /division has 3 labels; 2×2 needs an Int32Array of 4/);
  assert.throws(() => validateDivision(division([], 0, 0, 0)), /division size 0×0 is not allowed/);
});
