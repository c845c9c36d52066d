import assert from "node:assert/strict";
import { test } from "node:test";
import { gridDivision } from "../../src/division";
import { globalSeann, resolveSeannOptions, seannMethod, upsampleGrid } from "../../src/methods/seann";
import { normalizeMap, percentile, poolToGrid, segmentMap, thresholdSubsets } from "../../src/methods/seann/preprocess";
import type { RgbImage } from "../../src/types";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore } from "../support/fake-model";

const N = SQUARE_SIDE * SQUARE_SIDE;
/** A grey image with the white square [8, 16)², so that segmentation sees the square. */
const squareImage = (): RgbImage => ({ width: SQUARE_SIDE, height: SQUARE_SIDE, data: Float32Array.from({ length: 3 * N }, (_, i) => (inSquare(Math.floor(i / 3)) ? 255 : 120)) });

test("seann on the square world: the square tops the map and the order; sources, costs and training are reported", async () => {
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE, batchSize: 64 });
  const attributor = seannMethod.create(model, { sources: "rise,lime", riseMasks: 200, scale: 100, grid: 6, dsf: "small" });
  const division = gridDivision(SQUARE_SIDE, SQUARE_SIDE, { n: 6 });
  const r = await attributor.attribute(squareImage(), { target: 0, division });
  assert.equal(r.method, "seann");
  assert.equal(r.forwardPasses, 200 + 1001);
  assert.equal(r.map.data.length, N);
  let inside = 0, outside = 0;
  r.map.data.forEach((v, q) => (inSquare(q) ? (inside += v / 64) : (outside += v / (N - 64))));
  assert.ok(inside > 2 * outside, `mean inside ${inside} vs outside ${outside}`);
  // The square is grid cells (2..3, 2..3) of the 6×6 grid: the first picks are among them.
  const squareCells = [14, 15, 20, 21];
  assert.ok(squareCells.includes(r.order![0]), `first cell ${r.order![0]}`);
  const d = r.details as Record<string, unknown>;
  assert.deepEqual(d.sources, ["rise", "lime"]);
  assert.ok(typeof d.segments === "number" && d.segments >= 2, `segments ${d.segments}`);
  assert.ok((d.trainMs as number) >= 0 && (d.losses as number[]).length === 20);
  // Same seed, same bytes.
  const again = await seannMethod.create(model, { sources: "rise,lime", riseMasks: 200, scale: 100, grid: 6, dsf: "small" }).attribute(squareImage(), { target: 0, division });
  assert.deepEqual(Array.from(again.map.data), Array.from(r.map.data));
});

test("resolveSeannOptions: defaults, any subset of sources, every problem named at once", () => {
  const o = resolveSeannOptions();
  assert.deepEqual([o.sources, o.grid, o.scale, o.epochs, o.lambda1, o.lambda2, o.dsf], [["rise", "occlusion", "lime"], 28, 500, 20, 10, 0.01, "paper"]);
  assert.deepEqual(resolveSeannOptions({ sources: ["hsic", "lima"] }).sources, ["hsic", "lima"]);
  assert.throws(() => resolveSeannOptions({ sources: "rise,gradcam", grid: 1, colour: 3 }), (e: Error) => e instanceof RangeError && /"gradcam"/.test(e.message) && /grid 1 is not allowed/.test(e.message) && /unknown option "colour"/.test(e.message));
  assert.throws(() => resolveSeannOptions({ sources: "rise,rise" }), /repeat a method/);
  assert.equal(seannMethod.name, "seann");
  assert.ok(seannMethod.usesDivision);
});

test("pre-processing: segment means, pooling, percentile thresholds and up-sampling do what the paper's Fig. 2 says", () => {
  assert.deepEqual(Array.from(normalizeMap([2, 4, 6])), [0, 0.5, 1]);
  assert.deepEqual(Array.from(normalizeMap([3, 3])), [0, 0]);
  // Segments: left half (label 0) and right half (label 1) of a 4×2 image.
  const seg = { width: 4, height: 2, labels: Int32Array.from([0, 0, 1, 1, 0, 0, 1, 1]), count: 2, method: "test" };
  assert.deepEqual(Array.from(segmentMap([1, 3, 0, 0, 1, 3, 0, 2], seg)), [1, 1, 0, 0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(poolToGrid([1, 3, 0, 0, 1, 1, 0, 2], 4, 2, 2)), [2, 0, 1, 1]);
  assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
  assert.equal(percentile([0, 10], 97), 9.7);
  // A 10×10 map whose top 4 pixels (4%) form one 2×2 cell of a 5×5 grid: thresholds at 96–99 select that cell only.
  const map = Float64Array.from({ length: 100 }, (_, p) => (p % 10 < 2 && p < 20 ? 1 : 0.1 * ((p * 7) % 10) / 10));
  assert.deepEqual(thresholdSubsets(map, 10, 10, 5, [96, 99]), [[0], [0]]);
  const up = upsampleGrid([0, 1, 2, 3], 2, 4, 4, "nearest");
  assert.deepEqual(Array.from(up.data), [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
  const bi = upsampleGrid([0, 1, 2, 3], 2, 4, 4, "bilinear");
  assert.equal(bi.data[0], 0);
  assert.equal(bi.data[15], 3);
  assert.ok(bi.data[1] > 0 && bi.data[1] < 1);
});

test("globalSeann: one DSF over two images of the class gives a class-level map with the square on top", async () => {
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE, batchSize: 64 });
  // The second image is darker outside the square: same class evidence, different background.
  const dark: RgbImage = { ...squareImage(), data: squareImage().data.map((v) => (v === 120 ? 40 : v)) };
  const g = await globalSeann(model, [squareImage(), dark], 0, { sources: "rise,occlusion", riseMasks: 100, scale: 100, grid: 6, dsf: "small" });
  assert.equal(g.images, 2);
  assert.equal(g.forwardPasses, model.forwardPasses, "every pass of the sources is counted");
  assert.ok(g.forwardPasses > 2 * 100);
  let inside = 0, outside = 0;
  g.map.data.forEach((v, q) => (inSquare(q) ? (inside += v / 64) : (outside += v / (N - 64))));
  assert.ok(inside > 2 * outside, `class map: mean inside ${inside} vs outside ${outside}`);
  assert.ok([14, 15, 20, 21].includes(g.order[0]), `first cell ${g.order[0]}`);
  await assert.rejects(globalSeann(model, [], 0), /images is empty/);
});
