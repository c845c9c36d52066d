import assert from "node:assert/strict";
import path from "node:path";
import test from "node:test";
import sharp from "sharp";
import { divide, labelsDivision, loadRegionLabels, validateDivision } from "../../src/division";
import { tempDir } from "../support/onnx-graphs";

test("labelsDivision: one region per distinct value, ids in ascending order, nothing merged or split", () => {
  // Value 7 appears in two separate places: it stays one region (no splitting by connectivity).
  const values = [7, 7, 3, 3, 9, 7];
  const d = labelsDivision(values, 3, 2);
  validateDivision(d);
  assert.equal(d.count, 3);
  assert.deepEqual(Array.from(d.labels), [1, 1, 0, 0, 2, 1], "3 → 0, 7 → 1, 9 → 2");
  assert.equal(d.method, "labels");
  const ids = labelsDivision([0, 1, 2, 3], 2, 2);
  assert.deepEqual(Array.from(ids.labels), [0, 1, 2, 3], "ids 0..k−1 are kept as they are");
  assert.deepEqual(Array.from(divide({ width: 2, height: 2, data: new Float32Array(12) }, { method: "labels", values: [5, 5, 6, 6] }).labels), [0, 0, 1, 1], "through the division registry");
  assert.throws(() => labelsDivision([1, 1, 1, 1], 2, 2), /1 distinct values \(regions\); use 2\.\.400/);
  assert.throws(() => labelsDivision([1, 2, 3], 2, 2), /3 values; 2×2 needs 4/);
  assert.throws(() => labelsDivision([0.5, 1, 1, 1], 2, 2), /label value 0\.5 is not allowed/);
});

test("loadRegionLabels reads grey and RGB-packed label images at the model's geometry, by nearest neighbour", async () => {
  const dir = tempDir("labels-");
  // 8×8 grey: left half 10, right half 200 → 2 regions, resized to 4×4 without new values.
  const grey = Buffer.alloc(64).map((_, q) => (q % 8 < 4 ? 10 : 200));
  const greyFile = path.join(dir, "grey.png");
  await sharp(grey, { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(greyFile);
  const g = await loadRegionLabels(greyFile, { size: [4, 4], resize: "stretch" });
  assert.equal(g.count, 2);
  assert.deepEqual(Array.from(g.labels), [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
  // RGB: three colours whose channels differ; (0,0,5) and (5,0,0) are distinct ids.
  const rgb = Buffer.alloc(4 * 4 * 3);
  for (let q = 0; q < 16; q++) rgb.set(q < 4 ? [0, 0, 5] : q < 8 ? [5, 0, 0] : [0, 0, 5], q * 3);
  rgb.set([0, 9, 0], 15 * 3);
  const rgbFile = path.join(dir, "rgb.png");
  await sharp(rgb, { raw: { width: 4, height: 4, channels: 3 } }).png().toFile(rgbFile);
  const c = await loadRegionLabels(rgbFile, { size: [4, 4], resize: "stretch" });
  assert.equal(c.count, 3, "(0,0,5), (0,9,0), (5,0,0)");
  assert.equal(c.labels[0], 0, "packed 5 is the smallest id");
  assert.equal(c.labels[15], 1, "packed 9·256");
  assert.equal(c.labels[4], 2, "packed 5·65536");
  assert.equal(c.labels[8], 0, "the two (0,0,5) areas are one region");
  // Centre crop as for photos: 16×8 (left half 1, right half 2) → shorter side 5 → 10×5 → centre 4×4.
  const wide = Buffer.alloc(16 * 8).map((_, q) => (q % 16 < 8 ? 1 : 2));
  const wideFile = path.join(dir, "wide.png");
  await sharp(wide, { raw: { width: 16, height: 8, channels: 1 } }).png().toFile(wideFile);
  const w = await loadRegionLabels(wideFile, { size: [4, 4], resize: "shorter-side-256-center-crop" });
  assert.deepEqual(Array.from(w.labels), [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
});
