import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { divide, gridDivision, masksDivision, priorDivision, regionAreas, regionPixels, slicoDivision, validateDivision } from "../../src/division";
import { loadImage } from "../../src/image/load";
import type { Preprocessing } from "../../src/model/card";
import type { Division, RgbImage } from "../../src/types";
import { PHOTOS } from "../support/paths";

const pre: Preprocessing = { size: [224, 224], resize: "stretch", channels: "RGB", scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };

/** Every region is one 4-connected piece. */
function assertConnected(d: Division): void {
  const seen = new Uint8Array(d.labels.length);
  const pieces = new Int32Array(d.count);
  for (let start = 0; start < d.labels.length; start++) {
    if (seen[start]) continue;
    pieces[d.labels[start]]++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % d.width;
      for (const q of [x > 0 ? p - 1 : -1, x < d.width - 1 ? p + 1 : -1, p - d.width, p + d.width]) {
        if (q >= 0 && q < d.labels.length && !seen[q] && d.labels[q] === d.labels[p]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  pieces.forEach((n, r) => assert.equal(n, 1, `region ${r} is in ${n} pieces`));
}

test("gridDivision(224, 224, {n: 7}) has 49 equal 32×32 patches numbered row by row", () => {
  const d = gridDivision(224, 224, { n: 7 });
  assert.equal(d.count, 49);
  validateDivision(d);
  assert.ok(regionPixels(d).every((p) => p.length === 32 * 32));
  assert.equal(d.labels[0], 0);
  assert.equal(d.labels[33], 1);
  assert.equal(d.labels[224 * 32], 7);
});

test("gridDivision with sides not divisible by N still covers every pixel", () => {
  const d = gridDivision(10, 7, { n: 3 });
  validateDivision(d);
  const areas = regionAreas(d);
  assert.ok(Math.abs(areas.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

for (const photo of ["pelican.jpeg", "fish.png", "gradcam_horses.jpg", "kitten_224.png"]) {
  test(`slicoDivision(${photo}, 49): non-empty, connected, covering, |V| within 49 ± 5, deterministic`, async () => {
    const image = await loadImage(path.join(PHOTOS, photo), pre);
    const d = slicoDivision(image, { regions: 49 });
    validateDivision(d);
    assertConnected(d);
    assert.ok(Math.abs(d.count - 49) <= 5, `|V| = ${d.count}`);
    assert.deepEqual(slicoDivision(image, { regions: 49 }).labels, d.labels);
  });
}

function twoColours(width: number, height: number): RgbImage {
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const left = p % width < width / 2;
    data.set(left ? [200, 30, 30] : [20, 40, 220], p * 3);
  }
  return { width, height, data };
}

test("slicoDivision never puts a region across a sharp colour edge", () => {
  const image = twoColours(64, 64);
  const d = slicoDivision(image, { regions: 16 });
  assertConnected(d);
  for (const pixels of regionPixels(d)) {
    const left = pixels.map((p) => (p % 64 < 32 ? 1 : 0));
    assert.ok(left.every((v) => v === left[0]), "region lies on one side");
  }
});

test("pure-black pixels belong to regions (no colour-based region lookup)", () => {
  const image = twoColours(32, 32);
  for (let y = 8; y < 16; y++) for (let x = 8; x < 16; x++) image.data.fill(0, (y * 32 + x) * 3, (y * 32 + x) * 3 + 3);
  const d = slicoDivision(image, { regions: 9 });
  validateDivision(d);
  assert.ok(d.labels.every((l) => l >= 0 && l < d.count));
});

test("priorDivision (SMDL Algorithm 1) groups patches by rank of the prior", () => {
  // A prior increasing left to right: the most salient patches are the right-most column.
  const map = { width: 40, height: 40, data: new Float32Array(1600).map((_, p) => p % 40) };
  const d = priorDivision(map, { n: 4, m: 4 });
  assert.equal(d.count, 4);
  const pixels = regionPixels(d);
  assert.ok(pixels.every((p) => p.length === 400), "d = N²/m patches of 10×10 each");
  assert.ok(pixels[0].every((p) => p % 40 >= 30), "region 0 holds the highest-valued column");
  assert.ok(pixels[3].every((p) => p % 40 < 10), "region 3 the lowest");
  assert.throws(() => priorDivision(map, { n: 4, m: 5 }), /N² = 16 must be divisible by m \(use one of 1, 2, 4, 8, 16\)/);
});

test("masksDivision (LIMA Algorithm 2): overlaps leave the larger mask, tiny masks drop, leftovers form a region", () => {
  const W = 10, H = 10;
  const rect = (x0: number, y0: number, x1: number, y1: number) => {
    const m = new Uint8Array(W * H);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = 1;
    return m;
  };
  const big = rect(0, 0, 6, 6), small = rect(4, 4, 8, 8), tiny = rect(9, 9, 10, 10);
  const d = masksDivision([big, small, tiny], W, H, { delta: 0.02 });
  validateDivision(d);
  assert.equal(d.count, 3, "big, small, leftover (tiny dropped)");
  assert.equal(d.labels[5 * W + 5], 1, "the overlap belongs to the smaller mask");
  assert.equal(d.labels[0], 0);
  assert.equal(d.labels[9 * W + 9], 2, "the tiny mask's pixel is in the leftover region");
  assert.equal(regionPixels(d)[0].length, 36 - 4);
});

test("divide() refuses bad options with the allowed values", () => {
  const image = twoColours(16, 16);
  assert.throws(() => divide(image, { method: "grid", regions: 50 }), /grid regions 50 is not a perfect square/);
  assert.throws(() => divide(image, { method: "slico", regions: 1000 }), /slico regions 1000 is not allowed: use an integer 2\.\.64/);
  assert.throws(() => divide(image, { method: "voronoi" } as never), /division method "voronoi" is not allowed: use one of grid, slico, prior, masks/);
});
