import assert from "node:assert/strict";
import { test } from "node:test";
import { gridDivision, priorDivision, regionPixels, validateDivision } from "../../src/division";
import type { SaliencyMap } from "../../src/types";

/** A size×size map made of n×n flat patches, patch i holding value(i). */
function patchMap(size: number, n: number, value: (patch: number) => number): SaliencyMap {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) data[y * size + x] = value(Math.floor((y * n) / size) * n + Math.floor((x * n) / size));
  }
  return { width: size, height: size, data };
}

/** The grid patches (of an n×n grid at the division's size) that make up each region. */
function patchesOfRegions(labels: Int32Array, width: number, height: number, n: number, m: number): number[][] {
  const grid = gridDivision(width, height, { n });
  const sets = Array.from({ length: m }, () => new Set<number>());
  labels.forEach((region, p) => sets[region].add(grid.labels[p]));
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

test("priorDivision(map, {n: 10, m: 25}) ranks patches by the prior: region l holds the patches of ranks 4l..4l+3", () => {
  const value = (patch: number) => (patch * 37) % 100; // distinct values 0..99
  const map = patchMap(100, 10, value);
  const d = priorDivision(map, {}, 224, 224); // defaults n 10, m 25; a map of another resolution than the division
  validateDivision(d);
  assert.equal(d.method, "prior");
  assert.equal(d.count, 25);
  const ranked = Array.from({ length: 100 }, (_, i) => i).sort((a, b) => value(b) - value(a));
  const regions = patchesOfRegions(d.labels, 224, 224, 10, 25);
  regions.forEach((patches, l) => assert.deepEqual(patches, ranked.slice(4 * l, 4 * l + 4).sort((a, b) => a - b), `region ${l}`));
  assert.ok(regions[0].includes(ranked[0]), "the highest-valued patch is in region 0");
});

test("priorDivision on a left-to-right ramp: region 0 is the right-most column, each region d = N²/m patches", () => {
  const map = { width: 40, height: 40, data: new Float32Array(1600).map((_, p) => p % 40) };
  const d = priorDivision(map, { n: 4, m: 4 });
  assert.equal(d.width, 40);
  const pixels = regionPixels(d);
  assert.ok(pixels.every((p) => p.length === 400), "4 patches of 10×10 each");
  pixels.forEach((p, l) => assert.ok(p.every((q) => Math.floor((q % 40) / 10) === 3 - l), `region ${l} is column ${3 - l}`));
});

test("priorDivision breaks ties by patch index and allows non-connected regions", () => {
  const flat = { width: 12, height: 12, data: new Float32Array(144).fill(0.5) };
  const d = priorDivision(flat, { n: 3, m: 3 });
  assert.deepEqual(patchesOfRegions(d.labels, 12, 12, 3, 3), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  const checker = patchMap(12, 3, (patch) => (patch % 2 === 0 ? 1 : 0));
  const c = priorDivision(checker, { n: 3, m: 3 });
  assert.deepEqual(patchesOfRegions(c.labels, 12, 12, 3, 3), [[0, 2, 4], [6, 8, 1], [3, 5, 7]].map((r) => r.sort((a, b) => a - b)));
});

test("priorDivision area-averages maps whose size is not a multiple of N (or smaller than N)", () => {
  // 5×5 map with one hot pixel at (4, 4): on a 10×10 patch grid it covers the 2×2 bottom-right patches.
  const tiny = { width: 5, height: 5, data: new Float32Array(25) };
  tiny.data[24] = 1;
  const d = priorDivision(tiny, { n: 10, m: 25 }, 20, 20);
  assert.deepEqual(patchesOfRegions(d.labels, 20, 20, 10, 25)[0], [88, 89, 98, 99]);
  // 7×7 map, 2×2 cells 3.5 pixels wide: column 3 (value 1) is split half and half, column 6 (0.45)
  // is in the right cell, so the right cell wins (0.95 vs 0.5 per row); whole-pixel cells [0, 4)
  // and [4, 7) would have the left one win (1/4 vs 0.45/3).
  const column = (x: number) => (x === 3 ? 1 : x === 6 ? 0.45 : 0);
  const odd = { width: 7, height: 7, data: new Float32Array(49).map((_, p) => column(p % 7)) };
  assert.deepEqual(patchesOfRegions(priorDivision(odd, { n: 2, m: 2 }).labels, 7, 7, 2, 2), [[1, 3], [0, 2]]);
});

test("priorDivision refuses m not dividing N², bad n and bad maps, naming the allowed values", () => {
  const map = { width: 40, height: 40, data: new Float32Array(1600) };
  assert.throws(() => priorDivision(map, { n: 4, m: 5 }), /prior m 5 is not allowed with n 4: N² = 16 must be divisible by m \(use one of 1, 2, 4, 8, 16\)/);
  assert.throws(() => priorDivision(map, { n: 0 }), /prior n 0 is not allowed: use an integer 1\.\.40/);
  assert.throws(() => priorDivision(map, { n: 10 }, 8, 8), /prior n 10 is not allowed: use an integer 1\.\.8/);
  assert.throws(() => priorDivision({ width: 40, height: 40, data: new Float32Array(10) }), /prior map has 10 values; 40×40 needs 1600/);
  const nan = { width: 2, height: 2, data: Float32Array.of(0, Number.NaN, 0, 0) };
  assert.throws(() => priorDivision(nan, { n: 1, m: 1 }), /prior map value NaN at pixel 1 is not allowed: use finite numbers/);
});
