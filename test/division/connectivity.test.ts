import assert from "node:assert/strict";
import { test } from "node:test";
import { enforceConnectivity } from "../../src/division";

/** Parses rows of single-character labels ("." = −1, an unclaimed pixel). */
function grid(rows: string[]): { labels: Int32Array; width: number; height: number } {
  const width = rows[0].length, height = rows.length;
  const labels = Int32Array.from(rows.join(""), (ch) => (ch === "." ? -1 : Number(ch)));
  return { labels, width, height };
}

function show(labels: Int32Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < labels.length / width; y++) rows.push(Array.from(labels.subarray(y * width, (y + 1) * width)).join(""));
  return rows;
}

test("enforceConnectivity keeps the largest piece of each label and merges strays into the longest-bordering region", () => {
  const g = grid(["00011", "00011", "22211", "22201"]);
  // The stray 0 at (3, 3) touches 2 (left) once and 1 (right, above) twice.
  const r = enforceConnectivity(g.labels, g.width, g.height, 1);
  assert.equal(r.count, 3);
  assert.deepEqual(show(r.labels, g.width), ["00011", "00011", "22211", "22211"]);
});

test("enforceConnectivity merges pieces below minSize, and unclaimed (negative) pixels, then renumbers in raster order", () => {
  const g = grid(["33333", "33933", "33333", ".3333"]);
  assert.deepEqual(show(enforceConnectivity(g.labels, g.width, g.height, 1).labels, g.width), ["00000", "00100", "00000", "00000"]);
  const merged = enforceConnectivity(g.labels, g.width, g.height, 2);
  assert.equal(merged.count, 1, "the 1-pixel island is below minSize 2");
  assert.ok(merged.labels.every((l) => l === 0));
});

test("enforceConnectivity leaves a single region alone even below minSize, and never leaves a region in pieces", () => {
  const one = grid(["55", "55"]);
  assert.deepEqual(enforceConnectivity(one.labels, 2, 2, 100), { labels: new Int32Array(4), count: 1 });
  const chequer = grid(["0101", "1010", "0101", "1010"]);
  const r = enforceConnectivity(chequer.labels, 4, 4, 1);
  // Only the first piece of each label is kept; every stray pixel joins a neighbour (ties: lowest piece).
  assert.equal(r.count, 2);
  assert.deepEqual(show(r.labels, 4), ["0111", "0000", "0000", "0000"]);
  assert.throws(() => enforceConnectivity(new Int32Array(3), 2, 2, 1), /connectivity: 3 labels given; a 2×2 image needs 4/);
});
