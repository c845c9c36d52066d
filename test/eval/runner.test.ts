import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { occlusion } from "../../src/baselines";
import { type EvalImage, type EvalMethod, type MethodOptions, readRecords, runEvaluation, trueClassesFromFilenames, wnidFromFilename } from "../../src/eval";
import { Explainer } from "../../src/explain/explainer";
import { muFidelity, pixelCurve } from "../../src/metrics";
import type { RgbImage } from "../../src/types";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";
import { tempDir } from "../support/onnx-graphs";

const W = SQUARE_SIDE, H = SQUARE_SIDE;
/** White outside a half-bright square: the model says class 0 with 0.5, so the top-1 is class 0. */
function halfSquare(): RgbImage {
  const img = whiteImage(W, H);
  for (let q = 0; q < W * H; q++) if (inSquare(q) && q % 2 === 0) img.data.fill(0, 3 * q, 3 * q + 3);
  return img;
}

const images: EvalImage[] = [
  { name: "white.png", trueClass: 0, load: async () => whiteImage(W, H) },
  { name: "half.png", trueClass: 1, load: async () => halfSquare() },
];
const methods: EvalMethod[] = ["lima", "occlusion", "rise", "kernelshap", "lime"];
const methodOptions: MethodOptions = {
  division: { method: "grid", regions: 4 },
  lima: { np: 2 },
  occlusion: { patch: 8, stride: 8 },
  rise: { masks: 20, grid: 4 },
  kernelshap: { samples: 20 },
  lime: { samples: 10 },
};
const metrics = { steps: 8, muSamples: 12, muGrid: 4 };
const metricPasses = 2 * (8 + 1) + 12 + 1;

test("runEvaluation(fake model) writes one line per pair with the pixel-protocol numbers and method costs", async () => {
  const out = path.join(tempDir("eval-"), "r.jsonl");
  const model = fakeModel(squareScore, { width: W, height: H, batchSize: 7 });
  const result = await runEvaluation({ model, images, methods, out, methodOptions, metrics, seed: 5 });
  assert.equal(result.added, 10);
  const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 10);
  assert.deepEqual(lines.map((l) => `${l.image}/${l.method}`), images.flatMap((i) => methods.map((m) => `${i.name}/${m}`)));
  const byMethod = (image: string, method: string) => lines.find((l) => l.image === image && l.method === method);
  // Costs: occlusion 3×3 patches + the original, RISE its masks, Kernel SHAP all 2^4 coalitions (fewer than its samples), LIME samples + V.
  assert.equal(byMethod("white.png", "occlusion").forwardPasses, 10);
  assert.equal(byMethod("white.png", "rise").forwardPasses, 20);
  assert.equal(byMethod("white.png", "kernelshap").forwardPasses, 16);
  assert.equal(byMethod("white.png", "lime").forwardPasses, 11);
  const lima = await new Explainer(fakeModel(squareScore, { width: W, height: H }), { np: 2, division: { method: "grid", regions: 4 } }).explain(whiteImage(W, H));
  assert.equal(byMethod("white.png", "lima").forwardPasses, lima.forwardPasses);
  const methodPasses = lines.reduce((s, l) => s + l.forwardPasses, 0);
  assert.equal(model.forwardPasses, 2 + methodPasses + 10 * metricPasses, "one full pass per image, then the method, then the metrics");
  // Targets and correctness: top-1 is class 0 on both; the second image's true class is 1.
  assert.deepEqual(byMethod("white.png", "rise").target, { index: 0, label: "target" });
  assert.equal(byMethod("white.png", "rise").correct, true);
  assert.equal(byMethod("half.png", "rise").correct, false);
  assert.deepEqual(byMethod("half.png", "rise").trueClass, { index: 1, label: "rest" });
  // The numbers are the metrics of the method's map, computed independently.
  const map = await occlusion(fakeModel(squareScore, { width: W, height: H }), whiteImage(W, H), { target: 0, patch: 8, stride: 8 });
  const probe = fakeModel(squareScore, { width: W, height: H });
  const ins = await pixelCurve(probe, whiteImage(W, H), map, "insertion", { target: 0, steps: 8 });
  const del = await pixelCurve(probe, whiteImage(W, H), map, "deletion", { target: 0, steps: 8 });
  const mu = await muFidelity(probe, whiteImage(W, H), map, { target: 0, samples: 12, grid: 4, seed: 5 });
  const occ = byMethod("white.png", "occlusion");
  assert.equal(occ.insertion, ins.auc);
  assert.equal(occ.deletion, del.auc);
  assert.equal(occ.muFidelity, mu);
  assert.ok(occ.insertion > occ.deletion, "occlusion finds the square");
  assert.deepEqual(Object.keys(occ.highestConfidence).sort(), ["0.25", "0.5", "0.75", "1"]);
  assert.equal(occ.highestConfidence["1"], Math.max(...ins.y));
});

test("runEvaluation resumes: a second run adds nothing and runs no model", async () => {
  const out = path.join(tempDir("eval-"), "r.jsonl");
  await runEvaluation({ model: fakeModel(squareScore, { width: W, height: H }), images, methods: ["occlusion", "rise"], out, methodOptions, metrics });
  const before = readFileSync(out, "utf8");
  const model = fakeModel(squareScore, { width: W, height: H });
  let loads = 0;
  const counted = images.map((i) => ({ ...i, load: () => ((loads++), i.load()) }));
  const again = await runEvaluation({ model, images: counted, methods: ["occlusion", "rise"], out, methodOptions, metrics });
  assert.equal(again.added, 0);
  assert.equal(again.skipped, 4);
  assert.equal(model.forwardPasses, 0);
  assert.equal(loads, 0, "finished images are not even loaded");
  assert.equal(readFileSync(out, "utf8"), before);
  assert.equal(again.records.length, 4);
});

test("runEvaluation after an interruption: finished pairs stay, a torn line is dropped, the rest is done once", async () => {
  const out = path.join(tempDir("eval-"), "r.jsonl");
  const controller = new AbortController();
  await assert.rejects(
    runEvaluation({
      model: fakeModel(squareScore, { width: W, height: H }), images, methods: ["occlusion", "rise"], out, methodOptions, metrics, signal: controller.signal,
      onProgress: (p) => p.done === 1 && controller.abort(),
    }),
    { name: "AbortError" },
  );
  assert.equal(readRecords(out).length, 1, "the pair in flight is lost, the finished one kept");
  appendFileSync(out, '{"image":"white.png","method":"ri');
  const model = fakeModel(squareScore, { width: W, height: H });
  const result = await runEvaluation({ model, images, methods: ["occlusion", "rise"], out, methodOptions, metrics });
  assert.equal(result.added, 3);
  const keys = readRecords(out).map((r) => `${r.image}/${r.method}`);
  assert.deepEqual(keys.sort(), ["half.png/occlusion", "half.png/rise", "white.png/occlusion", "white.png/rise"]);
});

test("runEvaluation refuses to mix settings, unknown true classes and duplicate names", async () => {
  const out = path.join(tempDir("eval-"), "r.jsonl");
  const model = fakeModel(squareScore, { width: W, height: H });
  await runEvaluation({ model, images: images.slice(0, 1), methods: ["rise"], out, methodOptions, metrics });
  await assert.rejects(
    runEvaluation({ model, images: images.slice(0, 1), methods: ["rise"], out, methodOptions: { ...methodOptions, rise: { masks: 30 } }, metrics }),
    /already holds rise on white\.png .*"masks":20.*"masks":30.*use another output file/,
  );
  const same = await runEvaluation({ model, images: images.slice(0, 1), methods: ["rise"], out, methodOptions: { ...methodOptions, rise: { masks: 20, grid: 4, keepProbability: 0.5 } }, metrics });
  assert.equal(same.added, 0, "an option spelled out at its default is the same setting");
  await assert.rejects(
    runEvaluation({ model, images: [{ name: "x.png", load: async () => whiteImage(W, H) }], methods: ["rise"], out, targetMode: "true" }),
    /target "true" needs the true class of every image; unknown for x\.png/,
  );
  await assert.rejects(runEvaluation({ model, images: [images[0], images[0]], methods: ["rise"], out }), /image name "white\.png" appears twice/);
  writeFileSync(out, '{"image":"a","method":"rise"}\nnot json\n{"image":"b","method":"rise"}\n');
  assert.throws(() => readRecords(out), /line 2 is not JSON/);
});

test("runEvaluation with targetMode true explains the true class", async () => {
  const out = path.join(tempDir("eval-"), "r.jsonl");
  const { records } = await runEvaluation({ model: fakeModel(squareScore, { width: W, height: H }), images, methods: ["occlusion"], out, methodOptions, metrics, targetMode: "true" });
  assert.deepEqual(records.map((r) => [r.target.index, r.predicted.index, r.correct]), [[0, 0, true], [1, 0, false]]);
  assert.ok(records.every((r) => r.targetMode === "true"));
});

test("wnidFromFilename and trueClassesFromFilenames read ImageNet file names", () => {
  assert.equal(wnidFromFilename("/x/n01531178_goldfinch.JPEG"), "n01531178");
  assert.equal(wnidFromFilename("goldfinch.JPEG"), undefined);
  assert.equal(wnidFromFilename("n015311789.JPEG"), undefined);
  assert.deepEqual(trueClassesFromFilenames(["n2_b.jpg".replace("n2", "n00000002"), "n00000001_a.jpg"], ["n00000001", "n00000002"]), [1, 0]);
  assert.throws(() => trueClassesFromFilenames(["cat.jpg", "n00000009_x.jpg"], ["n00000001"]), /cat\.jpg does not start with a WordNet id.*n00000009 is not a class of this model/);
  assert.throws(() => trueClassesFromFilenames(["n00000001_a.jpg"], [undefined]), /labels have none/);
});

test("runEvaluation(metricNames) adds the chosen metrics' columns to each record and the summary", async () => {
  const { groupedCurve, groupsOf } = await import("../../src/metrics/grouped");
  const { summarise, summaryTable } = await import("../../src/eval");
  const out = path.join(tempDir("eval-"), "r.jsonl");
  const model = fakeModel(squareScore, { width: W, height: H, batchSize: 7 });
  await runEvaluation({ model, images: images.slice(0, 1), methods: ["lima", "occlusion"], out, methodOptions, metrics, seed: 5, metricNames: ["pixel", "grouped"] });
  const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  for (const l of lines) {
    assert.deepEqual(Object.keys(l.metrics).sort(), ["delG", "insG"]);
    assert.equal(l.muFidelity, null, "μFidelity was not asked for");
  }
  // occlusion has no groups: its grouped insertion runs over the 4 grid regions ranked by the map.
  const probe = fakeModel(squareScore, { width: W, height: H });
  const map = await occlusion(probe, whiteImage(W, H), { target: 0, patch: 8, stride: 8 });
  const { gridDivision } = await import("../../src/division");
  const division = gridDivision(W, H, { n: 2 });
  const ins = await groupedCurve(probe, whiteImage(W, H), groupsOf({ method: "occlusion", map, forwardPasses: 0, ms: 0 }, division), "insertion", { target: 0 });
  assert.equal(lines.find((l) => l.method === "occlusion").metrics.insG, ins.auc);
  const table = summaryTable(summarise(readRecords(out)));
  assert.match(table, /grouped insertion↑/);
  assert.match(table, /grouped deletion↓/);
  await assert.rejects(runEvaluation({ model, images, methods: ["rise"], out: path.join(tempDir("eval-"), "x.jsonl"), metricNames: ["nope"] }), /metric "nope" is not allowed/);
});

test("runEvaluation gives each metric its own options: μFidelity and the attribution error both name theirs `samples`", async () => {
  const out = path.join(tempDir("eval-"), "r.jsonl");
  const model = fakeModel(squareScore, { width: W, height: H });
  const metricOptions = { steps: 4, muSamples: 6, muGrid: 4, errorSubsets: 3 };
  await runEvaluation({ model, images: images.slice(0, 1), methods: ["occlusion"], out, methodOptions, metrics: metricOptions, seed: 5, metricNames: ["pixel", "muFidelity", "attribution-error"] });
  const [line] = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  // The full image, occlusion's own passes, then pixel curves 2·(steps + 1), μFidelity its 6 masks + 1, the attribution error 2 + 2·3.
  assert.equal(model.forwardPasses, 1 + line.forwardPasses + 2 * (4 + 1) + (6 + 1) + (2 + 2 * 3));
  assert.equal(line.settings.muSamples, 6);
  assert.equal(line.settings.errorSubsets, 3);
  assert.ok(Number.isFinite(line.metrics.delErr) && Number.isFinite(line.muFidelity));
});
