import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { notebookData } from "../../src/notebooks/data";
import { tempDir } from "../support/onnx-graphs";
import { SHARED } from "../support/paths";

test("notebookData: LIMA_XAI_DATA names the folder; models/, images/photos and images/imagenet below it", () => {
  const root = tempDir("data-");
  mkdirSync(path.join(root, "models"));
  const d = notebookData({ LIMA_XAI_DATA: root });
  assert.deepEqual(d, { root, models: path.join(root, "models"), photos: path.join(root, "images/photos"), imagenet: path.join(root, "images/imagenet") });
});

test("notebookData: unset, ../shared/data beside the repository", () => {
  assert.equal(notebookData({}).root, path.resolve(SHARED, "data"));
});

test("notebookData: a folder without models/ is an error naming the folder and the variable", () => {
  const root = tempDir("empty-");
  assert.throws(() => notebookData({ LIMA_XAI_DATA: root }), (e: Error) => e.message.includes(`LIMA_XAI_DATA=${root}`) && e.message.includes("models/"));
});
