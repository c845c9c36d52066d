import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { encodePng } from "../../src/image/png";
import { parseGroupSelect } from "../../src/methods/sop/group-select";
import { createRandom } from "../../src/util/random";
import { linearModel, tempDir, writeTestModel } from "../support/onnx-graphs";
import { REPO } from "../support/paths";

const BIN = path.join(REPO, "bin/lima-xai.js");
const S = 16;

test("lima-xai sop-train trains a GroupSelect on a folder, holds photos out (or tests on another folder), and writes the weights", () => {
  const dir = tempDir("sop-cli-");
  const random = createRandom(5);
  const weights = [Float32Array.from({ length: 3 * S * S }, () => random.next() - 0.5), Float32Array.from({ length: 3 * S * S }, () => random.next() - 0.5)];
  writeTestModel(linearModel({ width: S, height: S, weights }), { name: "sop-cli", width: S, height: S, classes: ["a", "b"] }, dir);
  const photos = path.join(dir, "photos");
  mkdirSync(photos);
  for (let i = 0; i < 4; i++) writeFileSync(path.join(photos, `p${i}.png`), encodePng(Uint8Array.from({ length: 3 * S * S }, () => random.int(256)), S, S));
  const out = path.join(dir, "w.json");
  const env = { ...process.env, LIMA_XAI_MODELS: dir };
  const r = spawnSync(process.execPath, [BIN, "sop-train", "--model", "sop-cli", "--images", photos, "--regions", "9", "--epochs", "2", "--hold-out", "0.25", "--out", out], { env, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.train.n, 3);
  assert.equal(report.heldOut.n, 1);
  assert.ok(report.heldOut.agreement >= 0 && report.heldOut.agreement <= 1);
  assert.match(r.stderr, /epoch 2: loss/);
  assert.ok(existsSync(out));
  const w = parseGroupSelect(readFileSync(out, "utf8"));
  assert.equal(w.h, 3 * S * S);
  assert.equal(w.meta.model, "sop-cli");

  // --test: every photo of --images trains; the other folder's photos are the held-out set.
  const other = path.join(dir, "other");
  mkdirSync(other);
  for (let i = 0; i < 2; i++) writeFileSync(path.join(other, `q${i}.png`), encodePng(Uint8Array.from({ length: 3 * S * S }, () => random.int(256)), S, S));
  const folds = spawnSync(process.execPath, [BIN, "sop-train", "--model", "sop-cli", "--images", photos, "--test", other, "--regions", "9", "--epochs", "2", "--out", out], { env, encoding: "utf8", timeout: 120_000 });
  assert.equal(folds.status, 0, folds.stderr);
  const foldReport = JSON.parse(folds.stdout);
  assert.equal(foldReport.train.n, 4);
  assert.equal(foldReport.heldOut.n, 2);
  const both = spawnSync(process.execPath, [BIN, "sop-train", "--model", "sop-cli", "--images", photos, "--test", other, "--hold-out", "0.5"], { env, encoding: "utf8" });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--hold-out and --test exclude each other/);

  const bad = spawnSync(process.execPath, [BIN, "sop-train", "--model", "sop-cli", "--images", photos, "--hold-out", "1"], { env, encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--hold-out 1 is not allowed: use a fraction in \[0, 1\)/);
});
