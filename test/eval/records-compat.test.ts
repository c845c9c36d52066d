/**
 * Result files written by earlier versions stay readable: the JSONL files of
 * bench/results/eval-2026-12-05 load in the summary code, and the resume check accepts them with
 * the options that made them, refuses other options, and says plainly when a file cannot tell
 * (its lines predate the recording of the extra metrics' options).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { readRecords } from "../../src/eval";
import { pairKey } from "../../src/eval/records";
import { canonicalJson, checkResumable, evalPlan } from "../../src/eval/runner";
import { summarise, summaryCsv } from "../../src/eval/summary";
import { DEFAULT_METRICS } from "../../src/metrics/registry";
import { REPO } from "../support/paths";

const RESULTS = path.join(REPO, "bench", "results", "eval-2026-12-05");
const file = (name: string) => path.join(RESULTS, name);

/** What the resume check needs of a file: its records, restricted to some methods. */
function resumeCheck(name: string, methods: readonly string[], options: Parameters<typeof evalPlan>[0]): () => void {
  const records = readRecords(file(name)).filter((r) => methods.includes(r.method));
  assert.ok(records.length > 0, `${name} holds ${methods.join(", ")} lines`);
  const plan = evalPlan(options);
  const wanted = new Set(records.map((r) => pairKey(r.image, r.method)));
  return () => checkResumable(records, { out: name, model: { name: records[0].model }, targetMode: "predicted" }, plan.settings, wanted);
}

test("every result file of bench/results/eval-2026-12-05 loads in the summary code, which gives back its stored summary", () => {
  const files = readdirSync(RESULTS).filter((f) => f.endsWith(".jsonl"));
  assert.equal(files.length, 5);
  for (const name of files) {
    const records = readRecords(file(name));
    assert.equal(records.length, readFileSync(file(name), "utf8").trim().split("\n").length, `${name}: every line is a record`);
    const rows = summarise(records);
    assert.ok(rows.some((r) => r.method === "lima" && r.metric === "insertion" && r.group === "all"), `${name}: LIMA's insertion is summarised`);
    assert.equal(summaryCsv(rows), readFileSync(`${file(name)}.summary.csv`, "utf8"), `${name}: the same summary as when it was written`);
  }
});

test("checkResumable: the files resume with the options that made them (keys written in another order), and refuse others", () => {
  // README of the folder: --preset reference; metrics pixel, highestConfidence, muFidelity.
  const reference = { methods: ["lima"], methodOptions: { lima: { preset: "reference" } } };
  assert.doesNotThrow(resumeCheck("preset-reference-squeezenet1.1-fp32.jsonl", ["lima"], reference));
  const [line] = readRecords(file("preset-reference-squeezenet1.1-fp32.jsonl"));
  const now = evalPlan(reference).settings.get("lima")!;
  assert.notEqual(JSON.stringify(now), JSON.stringify(line.settings), "this version writes the keys in another order");
  assert.equal(canonicalJson(now), canonicalJson(line.settings), "with the same values");
  assert.throws(resumeCheck("preset-reference-squeezenet1.1-fp32.jsonl", ["lima"], { methods: ["lima"], methodOptions: { lima: { preset: "reference", np: 4 } } }), /already holds lima on .* settings .*"np":8.*this run uses .*"np":4/);
  assert.throws(resumeCheck("preset-reference-squeezenet1.1-fp32.jsonl", ["lima"], { ...reference, metrics: { muSamples: 100 } }), /"muSamples":200.*"muSamples":100/);
  // --methods lima,rise,lime,sop --rise-masks 1000 --metrics pixel,highestConfidence,muFidelity,grouped (grouped has no options).
  const sop = { methods: ["lima", "rise"], methodOptions: { rise: { masks: 1000 } }, metricNames: [...DEFAULT_METRICS, "grouped"] };
  assert.doesNotThrow(resumeCheck("sop-heldout14-squeezenet1.1-fp32.jsonl", ["lima", "rise"], sop));
  assert.throws(resumeCheck("sop-heldout14-squeezenet1.1-fp32.jsonl", ["lima", "rise"], { ...sop, metricNames: DEFAULT_METRICS }), /"extraMetrics":\["grouped"\]/);
});

test("checkResumable: lines written before the extra metrics' options were recorded are refused, naming the unknown option and what to do", () => {
  // seed-*.jsonl was made with --rsrg-masks 16 (README), which its lines do not record.
  const seed = { methods: ["lima"], metricNames: [...DEFAULT_METRICS, "mdrs", "srg", "rsrg"] };
  for (const rsrgMasks of [16, undefined]) {
    assert.throws(
      resumeCheck("seed-squeezenet1.1-fp32.jsonl", ["lima"], { ...seed, metrics: { rsrgMasks } }),
      new RegExp(`was written before eval recorded the options of its extra metrics: its lima line on .* does not say which rsrgMasks made it, so it cannot be resumed safely; add the values that made it to the settings of its lines \\(this run would use "rsrgMasks": ${rsrgMasks ?? 128}\\) or use another output file`),
    );
  }
});

test("evalPlan records each chosen metric's own options under their flag's key, and checks them", () => {
  const plan = evalPlan({ methods: ["occlusion"], metricNames: [...DEFAULT_METRICS, "rsrg", "attribution-error"], metrics: { rsrgMasks: 16, muSamples: 50 } });
  const s = plan.settings.get("occlusion")!;
  assert.equal(s.muSamples, 50);
  assert.equal(s.muGrid, 9);
  assert.equal(s.rsrgMasks, 16);
  assert.equal(s.errorSubsets, 64, "a chosen metric's default is recorded too");
  assert.deepEqual(s.extraMetrics, ["rsrg", "attribution-error"]);
  assert.equal("rsrgMasks" in evalPlan({ methods: ["occlusion"], metrics: { rsrgMasks: 16 } }).settings.get("occlusion")!, false, "options of metrics not chosen are not recorded");
  assert.throws(() => evalPlan({ methods: ["occlusion"], metrics: { muSample: 5, errorSubsets: 0 } }), /unknown metric option "muSample" \(allowed: baseline, correlation, ranges, steps, muSamples, muGrid, .*rsrgMasks.*\); metric option errorSubsets: samples 0 is not allowed: use an integer in 1\.\.4096/);
});
