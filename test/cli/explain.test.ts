import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../support/onnx-graphs";
import { MODELS, PHOTOS, REPO } from "../support/paths";

const BIN = path.join(REPO, "bin/lima-xai.js");
const env = { ...process.env, LIMA_XAI_MODELS: MODELS };

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 120_000 });
}

test("lima-xai explain --json prints the documented object and targets the predicted class", () => {
  const out = tempDir("lima-cli-");
  const r = run(["explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--division", "grid", "--regions", "16", "--json", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const key of ["model", "image", "target", "top5", "regions", "order", "insertion", "deletion", "highestConfidence", "forwardPasses", "cacheHits", "ms"]) {
    assert.ok(key in j, `has ${key}`);
  }
  assert.deepEqual(j.target, { index: 144, label: "pelican" });
  assert.equal(j.top5.length, 5);
  assert.equal(j.regions, 16);
  assert.equal(j.order.length, 16);
  assert.equal(j.insertion.x.length, 17);
  assert.equal(j.deletion.y.length, 17);
  assert.deepEqual(Object.keys(j.highestConfidence).sort(), ["0.25", "0.5", "0.75", "1"]);
  assert.ok(j.insertion.auc > j.deletion.auc, "insertion above deletion for the explained class");
  for (const f of ["result.json", "map.png", "curves.html"]) assert.ok(existsSync(path.join(out, f)), f);
  const html = readFileSync(path.join(out, "curves.html"), "utf8");
  assert.ok(html.includes("Plotly.newPlot") && !html.includes("<script src="), "self-contained plotly page");
  assert.equal(readFileSync(path.join(out, "map.png")).subarray(1, 4).toString(), "PNG");
});

test("lima-xai explain --target by label, greedy count on a grid", () => {
  const r = run(["explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--division", "grid", "--regions", "9", "--search", "greedy", "--target", "albatross", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.target.label, "albatross");
  assert.equal(j.forwardPasses + j.cacheHits, 2 + 9 + 9 * 10);
});

test("lima-xai explain --division felzenszwalb: the regions are the Felzenszwalb–Huttenlocher segments of the photo at the given scale", async () => {
  const { loadModel } = await import("../../src/model/load");
  const { loadImage } = await import("../../src/image/load");
  const { felzenszwalbDivision } = await import("../../src/division");
  const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [MODELS] });
  const expected = felzenszwalbDivision(await loadImage(path.join(PHOTOS, "pelican.jpeg"), model.card), { scale: 20000 });
  await model.dispose();
  // A large scale keeps |V| small (4 on this photo), so the search is quick.
  const r = run(["explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--division", "felzenszwalb", "--fh-scale", "20000", "--np", "2", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.division, "felzenszwalb");
  assert.equal(j.regions, expected.count);
  assert.ok(j.regions >= 2 && j.regions < 10, `few regions at scale 20000: ${j.regions}`);
  assert.deepEqual([...j.order].sort((a: number, b: number) => a - b), Array.from({ length: expected.count }, (_, i) => i), "the order ranks every segment once");
  // |V| is the scale's to set: --regions is refused with felzenszwalb, and a scale that gives more than 400 regions is a usage error.
  const withRegions = run(["explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--division", "felzenszwalb", "--regions", "9"]);
  assert.equal(withRegions.status, 2);
  assert.match(withRegions.stderr, /--regions is not a parameter of --division felzenszwalb \(\|V\| follows from the scale/);
  const tiny = run(["explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--division", "felzenszwalb", "--fh-scale", "1"]);
  assert.equal(tiny.status, 2, tiny.stderr);
  assert.match(tiny.stderr, /felzenszwalb at scale 1 gave \d+ regions; \|V\| must be 2\.\.400: raise the scale/);
  const help = run(["explain", "--help"]);
  assert.match(help.stdout, /--division <slico\|grid\|prior\|felzenszwalb>/);
  assert.match(help.stdout, /--fh-scale <1\.\.100000> .*\|V\| follows from it/);
  assert.match(help.stdout, /felzenszwalb --fh-scale, --fh-sigma, --fh-min-size/);
});

test("a truncated JPEG exits non-zero with one readable line", () => {
  const dir = tempDir("lima-cli-");
  const bad = path.join(dir, "truncated.jpg");
  const bytes = readFileSync(path.join(PHOTOS, "pelican.jpeg"));
  writeFileSync(bad, bytes.subarray(0, 4000));
  const r = run(["explain", "--model", "squeezenet1.1-fp32", "--image", bad]);
  assert.notEqual(r.status, 0);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /truncated\.jpg.*corrupt or truncated/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace without --debug");
});

test("bad flags name the flag and the allowed values", () => {
  const r1 = run(["explain", "--model", "squeezenet1.1-fp32", "--image", "x.jpg", "--search", "sideways"]);
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /--search "sideways" is not allowed: use one of bidirectional, greedy/);
  const r2 = run(["explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--division", "grid", "--regions", "10"]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--regions 10 is not allowed with --division grid: use a perfect square/);
  const r3 = run(["explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--division", "grid", "--regions", "9", "--np", "12"]);
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /n_p 12 is larger than \|V\| = 9/);
  const r4 = run(["frobnicate"]);
  assert.equal(r4.status, 2);
  assert.match(r4.stderr, /unknown command "frobnicate"/);
});

test("each command's --help prints its usage and exits 0", () => {
  for (const [command, flag] of [["explain", "--image"], ["eval", "--rise-masks"], ["kernel", "--sys-prefix"], ["explore", "--no-open"]]) {
    const r = run([command, "--help"]);
    assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    assert.ok(r.stdout.startsWith(`lima-xai ${command}`), r.stdout);
    assert.ok(r.stdout.includes(flag), `${command} usage names ${flag}`);
  }
  const unknown = run(["eval", "--halp"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--halp/);
});
