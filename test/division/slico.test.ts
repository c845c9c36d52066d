import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { regionPixels, slicoDivision, validateDivision } from "../../src/division";
import type { Division, RgbImage } from "../../src/types";
import { PHOTOS } from "../support/paths";

/** A photo resized (stretched) to 224×224 RGB, raw 0..255. */
async function photo(name: string): Promise<RgbImage> {
  const raw = await sharp(path.join(PHOTOS, name)).removeAlpha().resize(224, 224, { fit: "fill" }).raw().toBuffer();
  return { width: 224, height: 224, data: Float32Array.from(raw) };
}

/** The number of 4-connected pieces of every region, by breadth-first search. */
function piecesPerRegion(d: Division): Int32Array {
  const seen = new Uint8Array(d.labels.length);
  const pieces = new Int32Array(d.count);
  const queue = new Int32Array(d.labels.length);
  for (let start = 0; start < d.labels.length; start++) {
    if (seen[start]) continue;
    const label = d.labels[start];
    pieces[label]++;
    let head = 0, tail = 0;
    queue[tail++] = start;
    seen[start] = 1;
    while (head < tail) {
      const p = queue[head++];
      const x = p % d.width;
      const neighbours = [x > 0 ? p - 1 : -1, x < d.width - 1 ? p + 1 : -1, p - d.width, p + d.width];
      for (const q of neighbours) {
        if (q >= 0 && q < d.labels.length && !seen[q] && d.labels[q] === label) {
          seen[q] = 1;
          queue[tail++] = q;
        }
      }
    }
  }
  return pieces;
}

function assertConnected(d: Division): void {
  piecesPerRegion(d).forEach((n, r) => assert.equal(n, 1, `region ${r} is in ${n} pieces`));
}

/** A two-colour image: colour `a` where `inside(x, y)`, colour `b` elsewhere. */
function twoColours(width: number, height: number, inside: (x: number, y: number) => boolean, a: number[], b: number[]): RgbImage {
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(inside(p % width, Math.floor(p / width)) ? a : b, 3 * p);
  return { width, height, data };
}

for (const name of ["pelican.jpeg", "fish.png", "gradcam_horses.jpg", "kitten_224.png"]) {
  test(`slicoDivision(${name} at 224×224, {regions: 49}): non-empty, connected, covering, |V| = 49 ± 5, deterministic`, async () => {
    const image = await photo(name);
    const d = slicoDivision(image, { regions: 49 });
    assert.equal(d.method, "slico");
    validateDivision(d);
    assertConnected(d);
    assert.ok(Math.abs(d.count - 49) <= 5, `|V| = ${d.count}`);
    assert.deepEqual(slicoDivision(image, { regions: 49 }).labels, d.labels);
  });
}

test("slicoDivision with a hex seed grid is also connected, covering and near the target", async () => {
  const image = await photo("bald_eagle.jpeg");
  const d = slicoDivision(image, { regions: 49, grid: "hex" });
  validateDivision(d);
  assertConnected(d);
  assert.ok(Math.abs(d.count - 49) <= 5, `|V| = ${d.count}`);
  assert.notDeepEqual(d.labels, slicoDivision(image, { regions: 49 }).labels, "the layout matters");
});

test("slicoDivision never puts a region across the edge between two flat colours", () => {
  const cases = [
    twoColours(224, 224, (x) => x < 100, [200, 30, 30], [20, 40, 220]),
    twoColours(64, 64, (x, y) => x + y < 70, [90, 160, 60], [150, 150, 150]),
  ];
  for (const image of cases) {
    for (const regions of [16, 49]) {
      const d = slicoDivision(image, { regions });
      validateDivision(d);
      assertConnected(d);
      regionPixels(d).forEach((pixels, r) => {
        const colour = (p: number) => image.data[3 * p];
        assert.ok(pixels.every((p) => colour(p) === colour(pixels[0])), `region ${r} of ${d.count} (${image.width}², ${regions}) holds both colours`);
      });
    }
  }
});

test("pure-black pixels form regions like any colour (METHOD.md §1: a region is a mask, not a colour)", () => {
  const black = (x: number, y: number) => x >= 20 && x < 36 && y >= 24 && y < 40;
  const image = twoColours(64, 64, black, [0, 0, 0], [120, 180, 200]);
  const d = slicoDivision(image, { regions: 16 });
  validateDivision(d);
  const blackRegions = new Set<number>();
  d.labels.forEach((l, p) => black(p % 64, Math.floor(p / 64)) && blackRegions.add(l));
  assert.ok(blackRegions.size >= 1);
  for (const r of blackRegions) assert.ok(regionPixels(d)[r].every((p) => black(p % 64, Math.floor(p / 64))), `region ${r} is black only`);
});

test("slicoDivision reaches other targets: 25 and 100 regions on a photo", async () => {
  const image = await photo("resnet-cat.jpg");
  for (const regions of [25, 100]) {
    const d = slicoDivision(image, { regions });
    validateDivision(d);
    assertConnected(d);
    assert.ok(Math.abs(d.count - regions) <= 0.1 * regions, `target ${regions}: |V| = ${d.count}`);
  }
});

test("slicoDivision refuses bad options, naming the allowed values", () => {
  const image = twoColours(16, 16, () => true, [1, 2, 3], [1, 2, 3]);
  assert.throws(() => slicoDivision(image, { regions: 0 }), /slico regions 0 is not allowed: use an integer 1\.\.64/);
  assert.throws(() => slicoDivision(image, { regions: 65 }), /slico regions 65 is not allowed: use an integer 1\.\.64 \(at least 4 pixels a region\)/);
  assert.throws(() => slicoDivision(image, { iterations: 0 }), /slico iterations 0 is not allowed: use an integer ≥ 1/);
  assert.throws(() => slicoDivision(image, { grid: "triangle" as never }), /slico grid "triangle" is not allowed: use one of square, hex/);
  assert.throws(() => slicoDivision({ width: 16, height: 16, data: new Float32Array(10) }), /slico image data has 10 values; a 16×16 RGB image needs 768/);
});
