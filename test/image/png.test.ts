import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { encodePng } from "../../src/image/png";
import { createRandom } from "../../src/util/random";
import { PHOTOS } from "../support/paths";

async function decode(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

test("encodePng: sharp decodes every pixel back exactly (random bytes exercise all five row filters)", async () => {
  const random = createRandom(3);
  const w = 37;
  const h = 23;
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i % 7 === 0 ? random.int(256) : (i * 13 + (i >> 5)) & 0xff));
  const back = await decode(encodePng(rgb, w, h));
  assert.equal(back.width, w);
  assert.equal(back.height, h);
  assert.deepEqual(new Uint8Array(back.data), rgb);
});

test("encodePng: a real photo round-trips exactly and is smaller than its unfiltered deflate", async () => {
  const { data, info } = await sharp(path.join(PHOTOS, "pelican.jpeg")).resize(224, 224, { fit: "fill" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { width: info.width, height: info.height };
  const rgb = new Uint8Array(data);
  const png = encodePng(rgb, image.width, image.height);
  const back = await decode(png);
  assert.deepEqual(new Uint8Array(back.data), rgb);
  const { deflateSync } = await import("node:zlib");
  const unfiltered = deflateSync(Buffer.concat(Array.from({ length: image.height }, (_, y) => Buffer.concat([Buffer.from([0]), Buffer.from(rgb.subarray(y * image.width * 3, (y + 1) * image.width * 3))]))));
  assert.ok(png.length < 0.85 * unfiltered.length, `filtered PNG ${png.length} B, unfiltered deflate ${unfiltered.length} B`);
});

test("encodePng: a size that does not match the data is refused, naming both", () => {
  assert.throws(() => encodePng(new Uint8Array(10), 2, 2), /10 bytes; 2×2 RGB needs 12/);
});
