import assert from "node:assert/strict";
import { test } from "node:test";
import { gridDivision } from "../../src/division";
import { outlineRegions } from "../../src/image/outline";
import type { RgbImage } from "../../src/types";

const grey: RgbImage = { width: 4, height: 4, data: new Float32Array(4 * 4 * 3).fill(100) };
const grid = gridDivision(4, 4, { n: 2 }); // four 2×2 patches

const pixel = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

test("outlineRegions paints the pixels whose right or lower neighbour is in another region", () => {
  const out = outlineRegions(grey, grid, { colour: [255, 0, 0] });
  // column 1 and row 1 border the other patches; (0,0) and (3,3) do not.
  assert.deepEqual(pixel(out, 1, 0), [255, 0, 0]);
  assert.deepEqual(pixel(out, 0, 1), [255, 0, 0]);
  assert.deepEqual(pixel(out, 0, 0), [100, 100, 100]);
  assert.deepEqual(pixel(out, 3, 3), [100, 100, 100]);
  assert.deepEqual(pixel(grey, 1, 0), [100, 100, 100], "the input image is left as it was");
});

test("outlineRegions darkens the regions outside highlight by dim", () => {
  const out = outlineRegions(grey, grid, { highlight: [0], dim: 0.5 });
  assert.deepEqual(pixel(out, 0, 0), [100, 100, 100], "region 0 is highlighted");
  assert.deepEqual(pixel(out, 3, 3), [50, 50, 50], "region 3 is dimmed to half");
});

test("outlineRegions names bad options and mismatched sizes", () => {
  assert.throws(() => outlineRegions(grey, grid, { highlight: [4] }), /highlight region 4 is not allowed: use 0\.\.3/);
  assert.throws(() => outlineRegions(grey, grid, { dim: 2 }), /dim 2 is not allowed/);
  assert.throws(() => outlineRegions(grey, grid, { colour: [0, 0, 300] }), /outline colour \[0,0,300\] is not allowed/);
  assert.throws(() => outlineRegions({ width: 2, height: 2, data: new Float32Array(12) }, grid), /division is 4×4 but the image is 2×2/);
});
