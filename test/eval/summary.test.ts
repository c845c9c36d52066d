import assert from "node:assert/strict";
import { test } from "node:test";
import { summarise, summaryCsv, summaryHtml, summaryTable, type EvalRecord } from "../../src/eval";

/** A record with the given numbers; everything else fixed. */
function record(method: string, image: string, correct: boolean | null, insertion: number, muFidelity: number | null = 0.5): EvalRecord {
  return {
    image, method, model: "m", targetMode: "predicted",
    target: { index: 1, label: "one" }, predicted: { index: 1, label: "one" }, trueClass: correct === null ? null : { index: correct ? 1 : 2, label: "x" }, correct,
    insertion, deletion: insertion / 10, highestConfidence: { "0.25": insertion / 2, "1": insertion },
    muFidelity, strongInteractions: 1, forwardPasses: 100, ms: 1000 * insertion, settings: {},
  };
}

const rows = summarise([
  record("rise", "a", true, 0.2),
  record("rise", "b", true, 0.4, null),
  record("rise", "c", false, 0.9, Number.NaN),
  record("lima", "a", true, 0.8),
]);
const cell = (method: string, group: string, metric: string) => rows.find((r) => r.method === method && r.group === group && r.metric === metric);

test("summarise(records) gives mean ± standard error per method, metric and group", () => {
  const all = cell("rise", "all", "insertion")!;
  assert.equal(all.n, 3);
  assert.ok(Math.abs(all.mean - 0.5) < 1e-12);
  assert.ok(Math.abs(all.stderr - Math.sqrt(0.13 / 3)) < 1e-12, `${all.stderr}`);
  const correct = cell("rise", "correct", "insertion")!;
  assert.equal(correct.n, 2);
  assert.ok(Math.abs(correct.mean - 0.3) < 1e-12);
  assert.equal(cell("rise", "misclassified", "highestConfidence_0.25")!.mean, 0.45);
  assert.ok(Number.isNaN(cell("rise", "misclassified", "insertion")!.stderr), "one value has no standard error");
  assert.equal(cell("lima", "misclassified", "insertion"), undefined, "no empty groups");
  assert.deepEqual([...new Set(rows.map((r) => r.method))], ["lima", "rise"], "methods in the registry's order");
  assert.deepEqual(rows.filter((r) => r.method === "lima" && r.group === "all").map((r) => r.metric), [
    "insertion", "deletion", "muFidelity", "highestConfidence_0.25", "highestConfidence_1", "strongInteractions", "forwardPasses", "ms",
  ], "area budgets in increasing order");
});

test("summarise leaves out undefined μFidelity (null or NaN) and counts only the rest", () => {
  const mu = cell("rise", "all", "muFidelity")!;
  assert.equal(mu.n, 1);
  assert.equal(mu.mean, 0.5);
  assert.equal(cell("rise", "misclassified", "muFidelity")!.n, 0);
});

test("summaryCsv(rows) writes one row per cell, quoting text and leaving undefined numbers empty", () => {
  const csv = summaryCsv([...rows, { method: 'odd,"name"', group: "all", metric: "insertion", n: 1, mean: 0.5, stderr: Number.NaN }]);
  const lines = csv.trim().split("\n");
  assert.equal(lines[0], "method,group,metric,n,mean,stderr");
  assert.equal(lines.length, rows.length + 2);
  assert.ok(lines.includes(`rise,all,insertion,3,0.5,${Math.sqrt(0.13 / 3)}`), csv);
  assert.equal(lines[lines.length - 1], '"odd,""name""",all,insertion,1,0.5,');
});

test("summaryTable(rows) prints one line per method and group with mean ± s.e.", () => {
  const table = summaryTable(rows).split("\n");
  assert.match(table[0], /^method\s+images\s+n\s+insertion↑/);
  const rise = table.find((l) => l.startsWith("rise") && l.includes(" all "))!;
  assert.match(rise, /\b3\s+0\.500 ± 0\.208/);
  assert.equal(table.length, 2 + 2 + 3, "header, rule, lima all/correct, rise all/correct/misclassified");
});

test("summaryHtml(rows, title) is self-contained and escapes every text", () => {
  const html = summaryHtml([...rows, { method: "<script>alert(1)</script>", group: "all", metric: "insertion", n: 1, mean: 0.5, stderr: 0 }], "eval <b>&</b>");
  assert.ok(html.includes("Plotly.newPlot"));
  assert.ok(!html.includes("<script src="), "plotly is inlined");
  assert.ok(!html.includes("<script>alert(1)</script>"), "method names are escaped");
  assert.ok(html.includes("eval &#60;b&#62;&#38;&#60;/b&#62;"));
  assert.ok(html.includes("Highest confidence, misclassified images"));
});
