import assert from "node:assert/strict";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { evalCommand, readRecords, summaryPaths } from "../../src/eval";
import { tempDir } from "../support/onnx-graphs";
import { IMAGENET, MODELS } from "../support/paths";

process.env.LIMA_XAI_MODELS = MODELS;

/** Runs the command with its stdout captured. */
async function run(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const sink = new Writable({ write: (chunk, _encoding, done) => ((stdout += String(chunk)), done()) });
  return { code: await evalCommand(args, { stdout: sink }), stdout };
}

/** Two shared photos: a goldfinch under its own name, and a robin filed as a tench (so misclassified). */
function photos(): string {
  const dir = tempDir("eval-images-");
  symlinkSync(path.join(IMAGENET, "n01531178_goldfinch.JPEG"), path.join(dir, "n01531178_goldfinch.JPEG"));
  symlinkSync(path.join(IMAGENET, "n01558993_robin.JPEG"), path.join(dir, "n01440764_tench.JPEG"));
  return dir;
}

const FAST = ["--division", "grid", "--regions", "16", "--rise-masks", "48", "--occlusion-patch", "112", "--occlusion-stride", "112", "--steps", "10", "--mu-samples", "16"];

function csvRows(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const keys = header.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [keys[i], v])));
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

test("lima-xai eval on shared photos: lines, summary equal to the lines' means, resume adds nothing", async () => {
  const images = photos();
  const out = path.join(tempDir("eval-out-"), "results.jsonl");
  const args = ["--model", "mobilenetv2-12-int8", "--images", images, "--labels-from-filename", "--methods", "lima,occlusion,rise", "--out", out, ...FAST];
  const first = await run(args);
  assert.equal(first.code, 0);
  const records = readRecords(out);
  assert.equal(records.length, 6);
  for (const r of records) {
    for (const key of ["image", "method", "target", "correct", "insertion", "deletion", "highestConfidence", "muFidelity", "forwardPasses", "ms"]) assert.ok(key in r, `${key} in ${r.method}`);
    assert.ok(r.insertion >= 0 && r.insertion <= 1 && r.deletion >= 0 && r.deletion <= 1);
    assert.deepEqual(Object.keys(r.highestConfidence).sort(), ["0.25", "0.5", "0.75", "1"]);
    assert.deepEqual(r.target, r.predicted, "--target predicted explains the top-1 class");
  }
  const finch = records.filter((r) => r.image === "n01531178_goldfinch.JPEG");
  const tench = records.filter((r) => r.image === "n01440764_tench.JPEG");
  assert.ok(finch.every((r) => r.correct === true && r.target.label === "goldfinch"));
  assert.ok(tench.every((r) => r.correct === false && r.trueClass?.index === 0), "the robin filed as a tench is misclassified");
  assert.equal(records.find((r) => r.method === "occlusion")!.forwardPasses, 5, "2×2 patches and the original");
  assert.equal(records.find((r) => r.method === "rise")!.forwardPasses, 48);
  const lima = finch.find((r) => r.method === "lima")!;
  assert.ok(lima.insertion > lima.deletion, `LIMA explains the goldfinch: insertion ${lima.insertion} > deletion ${lima.deletion}`);

  const { csv, html } = summaryPaths(out);
  const rows = csvRows(csv);
  for (const method of ["lima", "occlusion", "rise"]) {
    for (const metric of ["insertion", "deletion", "forwardPasses"] as const) {
      const cellOf = (group: string) => rows.find((r) => r.method === method && r.group === group && r.metric === metric)!;
      const mine = records.filter((r) => r.method === method);
      assert.ok(Math.abs(Number(cellOf("all").mean) - mean(mine.map((r) => r[metric]))) < 1e-12, `${method} ${metric}`);
      assert.equal(Number(cellOf("correct").mean), finch.find((r) => r.method === method)![metric]);
      assert.equal(Number(cellOf("misclassified").mean), tench.find((r) => r.method === method)![metric]);
      assert.equal(cellOf("all").n, "2");
    }
    const hc = rows.find((r) => r.method === method && r.group === "all" && r.metric === "highestConfidence_0.25")!;
    assert.ok(Math.abs(Number(hc.mean) - mean(records.filter((r) => r.method === method).map((r) => r.highestConfidence["0.25"]))) < 1e-12);
  }
  assert.match(first.stdout, /^method\s+images\s+n\s+insertion↑/);
  assert.match(first.stdout, /6 new pair\(s\), 0 already done/);
  const page = readFileSync(html, "utf8");
  assert.ok(page.includes("Plotly.newPlot") && !page.includes("<script src="), "self-contained plotly page");

  const before = readFileSync(out, "utf8");
  const second = await run(args);
  assert.equal(second.code, 0);
  assert.equal(readFileSync(out, "utf8"), before, "a re-run appends nothing");
  assert.match(second.stdout, /0 new pair\(s\), 6 already done/);
});

test("lima-xai eval --methods hsic: HSIC-Attribution with its flags, recorded in the settings", async () => {
  const out = path.join(tempDir("eval-out-"), "hsic.jsonl");
  const { code } = await run(["--model", "mobilenetv2-12-int8", "--images", photos(), "--labels-from-filename", "--methods", "hsic", "--hsic-designs", "16", "--hsic-grid", "4", "--limit", "1", "--out", out, ...FAST]);
  assert.equal(code, 0);
  const [r] = readRecords(out);
  assert.equal(r.method, "hsic");
  assert.equal(r.forwardPasses, 16);
  assert.deepEqual(r.settings, { designs: 16, grid: 4, baseline: 0, seed: 0, steps: 10, metricBaseline: 0, muSamples: 16, muGrid: 9, correlation: "spearman", muSeed: 0, ranges: [0.25, 0.5, 0.75, 1] });
  assert.ok(r.insertion >= 0 && r.insertion <= 1);
});

test("lima-xai eval --target true explains the class named by the file", async () => {
  const out = path.join(tempDir("eval-out-"), "true.jsonl");
  const { code } = await run(["--model", "mobilenetv2-12-int8", "--images", photos(), "--labels-from-filename", "--target", "true", "--methods", "occlusion", "--limit", "1", "--out", out, ...FAST]);
  assert.equal(code, 0);
  const records = readRecords(out);
  assert.equal(records.length, 1, "--limit 1 takes the first file by name");
  assert.equal(records[0].image, "n01440764_tench.JPEG");
  assert.deepEqual(records[0].target, { index: 0, label: "tench" });
  assert.notEqual(records[0].predicted.index, 0);
});

test("lima-xai eval: bad flags name the flag and the allowed values", async () => {
  const out = path.join(tempDir("eval-out-"), "bad.jsonl");
  const base = ["--model", "mobilenetv2-12-int8", "--images", IMAGENET, "--out", out];
  await assert.rejects(run([...base, "--methods", "lima,gradcam"]), /--methods "lima,gradcam" is not allowed \(unknown: gradcam\): use a comma-separated list of lima, rise, occlusion, kernelshap, lime/);
  await assert.rejects(run([...base, "--target", "best"]), /--target "best" is not allowed: use one of predicted, true/);
  await assert.rejects(run([...base, "--target", "true"]), /--target true needs --labels-from-filename/);
  await assert.rejects(run([...base, "--division", "grid", "--regions", "10"]), /--regions 10 is not allowed with --division grid: use a perfect square/);
  await assert.rejects(run([...base, "--division", "grid", "--regions", "4"]), /--np 8 is larger than --regions 4: use --np 1\.\.4/);
  await assert.rejects(run([...base, "--limit", "0"]), /--limit "0" is not allowed: use an integer in 1\.\.1000000/);
  await assert.rejects(run([...base, "--images", path.join(IMAGENET, "nope")]), /--images .*nope is not a folder/);
  await assert.rejects(run(["--model", "mobilenetv2-12-int8", "--images", IMAGENET]), /--out is required/);
  await assert.rejects(run([...base, "--frobnicate"]), /Unknown option '--frobnicate'/);
  await assert.rejects(run([...base, "--hsic-designs", "5"]), /--hsic-designs "5" is not allowed: use an even integer in 4\.\.100000/);
  assert.equal(existsSync(out), false, "nothing written on a usage error");
});

test("lima-xai eval --regions-from: every region method gets the label image's regions, recorded in the settings", async () => {
  const dir = tempDir("eval-labels-");
  const label = path.join(dir, "quadrants.png");
  // 2×2 quadrants with ids 0..3 (grey); resized to the model's input by nearest neighbour.
  const { default: sharp } = await import("sharp");
  await sharp(Buffer.from([0, 1, 2, 3]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(label);
  const out = path.join(tempDir("eval-out-"), "labels.jsonl");
  const { code } = await run(["--model", "mobilenetv2-12-int8", "--images", photos(), "--methods", "kernelshap", "--shap-samples", "20", "--regions-from", label, "--limit", "1", "--out", out, "--steps", "4", "--mu-samples", "8"]);
  assert.equal(code, 0);
  const [r] = readRecords(out);
  assert.deepEqual(r.settings.division, { method: "labels", from: label });
  assert.equal(r.forwardPasses, 2 ** 4, "exact Kernel SHAP over the 4 label regions: all 2^4 coalitions");
  await assert.rejects(run(["--model", "mobilenetv2-12-int8", "--images", photos(), "--regions-from", label, "--regions", "9", "--out", out]), /--regions-from gives the regions itself/);
});

test("parseEvalFlags: --metrics takes registered metric names; the default methods are those that need no training", async () => {
  const { parseEvalFlags } = await import("../../src/eval/cli");
  const { DEFAULT_METRICS } = await import("../../src/metrics/registry");
  const { METHODS } = await import("../../src/methods/registry");
  const base = ["--model", "m", "--images", ".", "--out", "o.jsonl"];
  const c = parseEvalFlags(base, { listFiles: false });
  assert.deepEqual(c.metricNames, DEFAULT_METRICS);
  assert.deepEqual(c.methods, METHODS.filter((m) => !m.needs).map((m) => m.name));
  assert.ok(!c.methods.includes("sop"), "SOP needs a trained GroupSelect: only on request");
  assert.deepEqual(parseEvalFlags([...base, "--metrics", "pixel,grouped,attribution-error"], { listFiles: false }).metricNames, ["pixel", "grouped", "attribution-error"]);
  assert.throws(() => parseEvalFlags([...base, "--metrics", "pixel,bogus"], { listFiles: false }), /--metrics "pixel,bogus" is not allowed \(unknown: bogus\): use a comma-separated list of pixel, /);
});

test("eval --error-subsets reaches the attribution-error metric under its own key, apart from μFidelity's --mu-samples", async () => {
  const { parseEvalFlags } = await import("../../src/eval/cli");
  const base = ["--model", "m", "--images", ".", "--out", "o.jsonl", "--metrics", "pixel,attribution-error"];
  const c = parseEvalFlags([...base, "--error-subsets", "8", "--mu-samples", "300"], { listFiles: false });
  assert.equal(c.metrics.errorSubsets, 8);
  assert.equal(c.metrics.muSamples, 300);
  assert.throws(() => parseEvalFlags([...base, "--error-subsets", "0"], { listFiles: false }), /--error-subsets/);
});
