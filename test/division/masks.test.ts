import assert from "node:assert/strict";
import { test } from "node:test";
import { masksDivision, regionPixels, validateDivision } from "../../src/division";

const W = 10, H = 10;

/** A W×H 0/1 mask of the rectangle [x0, x1) × [y0, y1). */
function rect(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = 1;
  return m;
}

test("masksDivision (LIMA Algorithm 2): the overlap leaves the larger mask, tiny masks drop, leftovers form a last region", () => {
  const big = rect(0, 0, 6, 6), small = rect(4, 4, 8, 8), tiny = rect(9, 9, 10, 10);
  const d = masksDivision([big, small, tiny], W, H, { delta: 0.02 });
  validateDivision(d);
  assert.equal(d.method, "masks");
  assert.equal(d.count, 3, "big, small, leftover (tiny dropped: 1% ≤ δ)");
  const pixels = regionPixels(d);
  assert.equal(pixels[0].length, 36 - 4, "big lost the 2×2 intersection");
  assert.equal(pixels[1].length, 16, "small kept it");
  assert.equal(d.labels[5 * W + 5], 1);
  assert.equal(d.labels[9 * W + 9], 2, "the dropped mask's pixel is in the leftover region");
  assert.equal(pixels[2].length, 100 - 32 - 16);
  assert.ok(big.every((v, p) => v === 1 || d.labels[p] !== 0), "nothing outside the big mask joined it");
});

test("masksDivision removes equal-area intersections from the later mask, as the paper's strict > does", () => {
  const a = rect(0, 0, 5, 5), b = rect(3, 3, 8, 8);
  const d = masksDivision([a, b], W, H, { delta: 0 });
  assert.equal(d.labels[4 * W + 4], 0, "the intersection stays with mask 0");
  assert.equal(regionPixels(d)[1].length, 25 - 4);
});

test("masksDivision uses the areas as they shrink: pair order matters, as in Algorithm 2", () => {
  // a (24 px) vs b (20 px): a is larger and loses their 8-pixel overlap, down to 16;
  // then a (16) vs c (18): c is now the larger and loses, although the original a (24) was larger.
  const a = rect(0, 0, 6, 4), b = rect(4, 0, 8, 5), c = rect(0, 2, 3, 8);
  const d = masksDivision([a, b, c], W, H, { delta: 0 });
  validateDivision(d);
  assert.equal(d.labels[4], 1, "(4,0) is in a∩b: b was smaller");
  assert.equal(d.labels[2 * W], 0, "(0,2) is in a∩c: a had shrunk below c");
  assert.deepEqual(Array.from(regionPixels(d), (p) => p.length), [16, 20, 18 - 6, 100 - 16 - 20 - 12]);
});

test("masksDivision covers everything: no masks → one region; complete masks → no leftover region", () => {
  const none = masksDivision([], W, H);
  assert.equal(none.count, 1);
  validateDivision(none);
  const halves = masksDivision([rect(0, 0, 5, 10), rect(5, 0, 10, 10)], W, H);
  assert.equal(halves.count, 2);
  assert.equal(regionPixels(halves)[0].length, 50);
});

test("masksDivision treats non-zero values as inside and never edits the caller's masks", () => {
  const m = rect(0, 0, 5, 5).map((v) => v * 255);
  const copy = m.slice();
  const d = masksDivision([m, rect(0, 0, 3, 3)], W, H, { delta: 0 });
  assert.equal(regionPixels(d)[0].length, 25 - 9);
  assert.deepEqual(m, copy);
});

test("masksDivision refuses bad masks and δ, naming the allowed values", () => {
  assert.throws(() => masksDivision([new Uint8Array(99)], W, H), /mask 0 has 99 values; a 10×10 image needs 100/);
  assert.throws(() => masksDivision([rect(0, 0, 1, 1), [1, 0] as unknown as Uint8Array], W, H), /mask 1 is not a Uint8Array/);
  assert.throws(() => masksDivision([], W, H, { delta: 1 }), /masks delta 1 is not allowed: use a number with 0 ≤ δ < 1/);
  assert.throws(() => masksDivision([], W, H, { delta: Number.NaN }), /masks delta NaN is not allowed/);
  assert.throws(() => masksDivision([], 0, H), /masks image size 0×10 is not allowed/);
});
