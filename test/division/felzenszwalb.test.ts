import assert from "node:assert/strict";
import { test } from "node:test";
import { divide, felzenszwalbDivision, FELZENSZWALB_PARAMS, regionPixels, validateDivision } from "../../src/division";
import type { Division, RgbImage } from "../../src/types";
import { createRandom } from "../../src/util/random";

function image(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colour(x, y), 3 * (y * width + x));
  return { width, height, data };
}

/** Whether every region is 8-connected. */
function connected(d: Division): boolean {
  return regionPixels(d).every((pixels) => {
    const inRegion = new Set(pixels);
    const seen = new Set([pixels[0]]);
    const stack = [pixels[0]];
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % d.width, y = Math.floor(p / d.width);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const q = (y + dy) * d.width + (x + dx);
          if (x + dx >= 0 && x + dx < d.width && y + dy >= 0 && y + dy < d.height && inRegion.has(q) && !seen.has(q)) (seen.add(q), stack.push(q));
        }
      }
    }
    return seen.size === pixels.length;
  });
}

const noisy = (seed: number) => {
  const r = createRandom(seed);
  // Four flat quadrants of different colours with ±20 noise.
  return image(40, 40, (x, y) => {
    const base = (x < 20 ? 40 : 200) + (y < 20 ? 0 : 30);
    return [base + 40 * (r.next() - 0.5), base + 40 * (r.next() - 0.5), 255 - base + 40 * (r.next() - 0.5)];
  });
};

test("felzenszwalbDivision: a black | white image splits exactly at the edge into 2 regions, numbered in raster order", () => {
  const img = image(12, 8, (x) => (x < 5 ? [0, 0, 0] : [255, 255, 255]));
  const d = felzenszwalbDivision(img, { sigma: 0, scale: 100, minSize: 1 });
  validateDivision(d);
  assert.equal(d.count, 2);
  assert.equal(d.method, "felzenszwalb");
  for (let p = 0; p < 96; p++) assert.equal(d.labels[p], p % 12 < 5 ? 0 : 1, `pixel ${p}`);
});

test("felzenszwalbDivision: a flat image is one region; a larger scale never gives more regions", () => {
  assert.equal(felzenszwalbDivision(image(16, 16, () => [90, 90, 90])).count, 1);
  const img = noisy(1);
  const counts = [5, 50, 500, 5000].map((scale) => felzenszwalbDivision(img, { scale, minSize: 1 }).count);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i] <= counts[i - 1], `counts by scale ${counts}`);
  assert.ok(counts[0] > counts[3], `counts by scale ${counts}`);
});

test("felzenszwalbDivision: the quadrants come out at scale 500; regions are connected, at least minSize, deterministic", () => {
  const img = noisy(2);
  const d = felzenszwalbDivision(img, { scale: 500, sigma: 0.8, minSize: 20 });
  validateDivision(d);
  assert.ok(connected(d));
  assert.ok(regionPixels(d).every((p) => p.length >= 20));
  // Each quadrant's pixels mostly share one label, and the four labels differ.
  const major = [[0, 0], [20, 0], [0, 20], [20, 20]].map(([x0, y0]) => {
    const counts = new Map<number, number>();
    for (let y = y0; y < y0 + 20; y++) for (let x = x0; x < x0 + 20; x++) counts.set(d.labels[y * 40 + x], (counts.get(d.labels[y * 40 + x]) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0];
  });
  assert.ok(major.every(([, c]) => c >= 300), `quadrant majorities ${JSON.stringify(major)}`);
  assert.equal(new Set(major.map(([l]) => l)).size, 4);
  assert.deepEqual(Array.from(felzenszwalbDivision(img, { scale: 500 }).labels), Array.from(d.labels));
  assert.deepEqual(Array.from(divide(img, { method: "felzenszwalb", scale: 500 }).labels), Array.from(d.labels));
});

test("felzenszwalbDivision: minSize merges small pieces", () => {
  const img = noisy(3);
  const small = felzenszwalbDivision(img, { scale: 20, minSize: 1 });
  const merged = felzenszwalbDivision(img, { scale: 20, minSize: 50 });
  assert.ok(merged.count < small.count);
  assert.ok(regionPixels(merged).every((p) => p.length >= 50));
  assert.ok(connected(merged));
});

test("felzenszwalbDivision rejects bad options naming them; its params are data", () => {
  const img = noisy(4);
  assert.throws(() => felzenszwalbDivision(img, { scale: 0 }), /felzenszwalb scale 0 is not allowed: use a number in 1\.\.100000/);
  assert.throws(() => felzenszwalbDivision(img, { sigma: -1 }), /felzenszwalb sigma -1 is not allowed/);
  assert.throws(() => felzenszwalbDivision(img, { minSize: 2.5 }), /felzenszwalb minSize 2\.5 is not allowed: use an integer in 1\.\.100000/);
  assert.deepEqual(FELZENSZWALB_PARAMS.map((p) => [p.name, p.default]), [["scale", 500], ["sigma", 0.8], ["minSize", 20]]);
});
