import assert from "node:assert/strict";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { evalCommand } from "../../src/eval";
import { encodePng } from "../../src/image/png";
import { tempDir } from "../support/onnx-graphs";
import { IMAGENET, MODELS } from "../support/paths";

process.env.LIMA_XAI_MODELS = MODELS;

test("lima-xai eval --methods salvage,kernelshap --metrics srg,rsrg,localisation --annotations DIR records MIF…R-SRG and RMA/RRA", async () => {
  const images = tempDir("salvage-eval-images-");
  symlinkSync(path.join(IMAGENET, "n01531178_goldfinch.JPEG"), path.join(images, "n01531178_goldfinch.JPEG"));
  const masks = tempDir("salvage-eval-masks-");
  // The mask: the left half of a 64×64 picture is the "object".
  const rgb = new Uint8Array(64 * 64 * 3);
  for (let q = 0; q < 64 * 64; q++) if (q % 64 < 32) rgb.fill(255, 3 * q, 3 * q + 3);
  writeFileSync(path.join(masks, "n01531178_goldfinch.png"), encodePng(rgb, 64, 64));
  const out = path.join(tempDir("salvage-eval-out-"), "results.jsonl");
  const args = ["--model", "mobilenetv2-12-int8", "--images", images, "--methods", "salvage,kernelshap", "--metrics", "srg,rsrg,localisation", "--annotations", masks, "--out", out,
    "--division", "grid", "--regions", "16", "--salvage-budget", "60", "--salvage-epochs", "5", "--shap-samples", "40", "--rsrg-masks", "2"];
  const code = await evalCommand(args, { stdout: new Writable({ write: (_c, _e, done) => done() }) });
  assert.equal(code, 0);
  const records = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { method: string; metrics: Record<string, number>; forwardPasses?: number });
  assert.deepEqual(records.map((r) => r.method).sort(), ["kernelshap", "salvage"]);
  for (const r of records) {
    const m = { ...r.metrics, ...(r as unknown as Record<string, number>) };
    for (const key of ["mif", "lif", "srg", "rmif", "rlif", "rsrg", "rma", "rra"]) assert.ok(Number.isFinite(m[key]), `${r.method} ${key} = ${m[key]}`);
    assert.ok(Math.abs(m.srg - (m.mif - m.lif)) < 1e-9);
    assert.ok(m.rma >= 0 && m.rma <= 1 && m.rra >= 0 && m.rra <= 1);
  }
  await assert.rejects(evalCommand([...args.slice(0, 10), "--annotations", path.join(masks, "nope"), "--out", out + "2"], { stdout: new Writable({ write: (_c, _e, done) => done() }) }), /--annotations .*nope is not a folder/);
});
