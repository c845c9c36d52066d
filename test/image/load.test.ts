import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { decodeImage, ImageError, loadImage } from "../../src/image/load";
import type { Preprocessing } from "../../src/model/card";
import { IMAGENET, PHOTOS } from "../support/paths";

const stretch: Preprocessing = { size: [224, 224], resize: "stretch", channels: "RGB", scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
const crop: Preprocessing = { ...stretch, resize: "shorter-side-256-center-crop" };

test("loadImage(jpeg, stretch) gives 224×224 raw RGB in 0..255", async () => {
  const img = await loadImage(path.join(PHOTOS, "pelican.jpeg"), stretch);
  assert.equal(img.width, 224);
  assert.equal(img.height, 224);
  assert.equal(img.data.length, 224 * 224 * 3);
  const max = img.data.reduce((a, b) => Math.max(a, b), 0);
  assert.ok(max > 200 && max <= 255);
});

test("loadImage(greyscale jpeg) expands to three equal channels", async () => {
  const img = await loadImage(path.join(IMAGENET, "n02676566_acoustic_guitar.JPEG"), crop);
  for (let p = 0; p < img.data.length; p += 3 * 97) {
    assert.equal(img.data[p], img.data[p + 1]);
    assert.equal(img.data[p + 1], img.data[p + 2]);
  }
});

test("decodeImage(png with alpha) drops alpha", async () => {
  const img = await decodeImage(path.join(PHOTOS, "kitten_224.png"));
  assert.equal(img.data.length, img.width * img.height * 3);
});

test("decodeImage applies EXIF orientation", async () => {
  // A 40×20 image, left half red, stored with orientation 6 (rotate 90° clockwise to view).
  const raw = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) raw[(y * 40 + x) * 3] = 255;
  const jpeg = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const img = await decodeImage(jpeg);
  assert.equal(img.width, 20);
  assert.equal(img.height, 40);
  assert.ok(img.data[0] > 200, "top row is red after rotation");
  assert.ok(img.data[(39 * 20) * 3] < 60, "bottom row is not");
});

test("decodeImage(16-bit png) reduces to 8 bits", async () => {
  const raw = new Uint16Array(8 * 8 * 3).fill(65535);
  const png = await sharp(Buffer.from(raw.buffer), { raw: { width: 8, height: 8, channels: 3, premultiplied: false } })
    .toColourspace("rgb16").png().toBuffer();
  const img = await decodeImage(png);
  assert.equal(img.data[0], 255);
});

test("shorter-side-256 centre crop keeps the centre", async () => {
  // 300×200: left third black, middle white, right third black; crop of the centre is mostly white.
  const raw = Buffer.alloc(300 * 200 * 3);
  for (let y = 0; y < 200; y++) for (let x = 100; x < 200; x++) raw.fill(255, (y * 300 + x) * 3, (y * 300 + x) * 3 + 3);
  const png = await sharp(raw, { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer();
  const img = await loadImage(png, crop);
  assert.equal(img.width, 224);
  assert.ok(img.data[(112 * 224 + 112) * 3] > 250, "centre is white");
  assert.ok(img.data[(112 * 224 + 2) * 3] < 5, "left edge is black");
});

test("a truncated JPEG is an ImageError that names the file", async () => {
  const bytes = readFileSync(path.join(PHOTOS, "pelican.jpeg"));
  await assert.rejects(decodeImage(bytes.subarray(0, Math.floor(bytes.length / 3))), (e: Error) => e instanceof ImageError && /corrupt or truncated/.test(e.message));
});

test("a non-image and a missing file are ImageErrors", async () => {
  await assert.rejects(decodeImage(Buffer.from("not an image at all")), (e: Error) => e instanceof ImageError && /not an image/.test(e.message));
  await assert.rejects(decodeImage("/nonexistent/photo.jpg"), (e: Error) => e instanceof ImageError && /photo\.jpg/.test(e.message));
});

test("images above maxPixels are refused", async () => {
  await assert.rejects(decodeImage(path.join(PHOTOS, "pelican.jpeg"), { maxPixels: 1000 }), /more than 1000 pixels/);
});

test("a directory given as an image is an ImageError saying it is a directory", async () => {
  await assert.rejects(decodeImage(PHOTOS), (e: Error) => e instanceof ImageError && e.message === `cannot read image ${PHOTOS}: it is a directory, not an image file`);
});
