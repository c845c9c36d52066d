import assert from "node:assert/strict";
import { test } from "node:test";
import { gridDivision, regionPixels, validateDivision } from "../../src/division";

/** The bounding box of a region and whether it is exactly filled. */
function rectangle(pixels: Int32Array, width: number) {
  const xs = Array.from(pixels, (p) => p % width), ys = Array.from(pixels, (p) => Math.floor(p / width));
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  return { x0, y0, w: x1 - x0 + 1, h: y1 - y0 + 1, filled: (x1 - x0 + 1) * (y1 - y0 + 1) === pixels.length };
}

test("gridDivision(224, 224, {n: 7}) → 49 filled 32×32 patches numbered row by row", () => {
  const d = gridDivision(224, 224, { n: 7 });
  validateDivision(d);
  assert.equal(d.count, 49);
  assert.equal(d.method, "grid");
  regionPixels(d).forEach((pixels, r) => {
    assert.deepEqual(rectangle(pixels, 224), { x0: 32 * (r % 7), y0: 32 * Math.floor(r / 7), w: 32, h: 32, filled: true }, `patch ${r}`);
  });
});

test("gridDivision(w, h) defaults to n = 7 (49 regions)", () => {
  assert.equal(gridDivision(70, 70).count, 49);
});

test("gridDivision(10, 7, {n: 3}) puts boundaries at round(i·W/N): widths 3,4,3 and heights 2,3,2", () => {
  const d = gridDivision(10, 7, { n: 3 });
  validateDivision(d);
  assert.equal(d.count, 9);
  const shapes = regionPixels(d).map((p) => rectangle(p, 10));
  assert.ok(shapes.every((s) => s.filled));
  assert.deepEqual(shapes.slice(0, 3).map((s) => s.w), [3, 4, 3]);
  assert.deepEqual([0, 3, 6].map((r) => shapes[r].h), [2, 3, 2]);
  assert.deepEqual(shapes.map((s) => s.x0), [0, 3, 7, 0, 3, 7, 0, 3, 7]);
});

test("gridDivision(5, 5, {n: 5}) gives one pixel per region; n = 1 gives one region", () => {
  assert.deepEqual(Array.from(gridDivision(5, 5, { n: 5 }).labels), Array.from({ length: 25 }, (_, i) => i));
  const one = gridDivision(8, 3, { n: 1 });
  assert.equal(one.count, 1);
  assert.ok(one.labels.every((l) => l === 0));
});

test("gridDivision refuses bad n and sizes, naming the allowed values", () => {
  assert.throws(() => gridDivision(224, 224, { n: 0 }), /grid n 0 is not allowed: use an integer 1\.\.224/);
  assert.throws(() => gridDivision(224, 224, { n: 2.5 }), /grid n 2\.5 is not allowed/);
  assert.throws(() => gridDivision(10, 4, { n: 5 }), /grid n 5 is not allowed: use an integer 1\.\.4 \(at most the shorter image side\)/);
  assert.throws(() => gridDivision(10.5, 4, { n: 2 }), /grid image size 10\.5×4 is not allowed: use positive integer sides/);
});
