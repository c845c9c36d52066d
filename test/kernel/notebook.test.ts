import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../support/onnx-graphs";
import { executeNotebook as execute, installKernel, notebookText as text } from "../support/nbconvert";
import { REPO } from "../support/paths";

test("nbconvert executes notebooks/01-explain-a-photo.ipynb: the result cell saves a map (image/png) and a chart", () => {
  const nb = execute(path.join(REPO, "notebooks/01-explain-a-photo.ipynb"), installKernel());
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  const rich = outputs.find((o) => o.data && "image/png" in o.data);
  assert.ok(rich, "an image/png output");
  assert.ok("application/vnd.plotly.v1+json" in rich!.data!, "with a plotly chart");
  const figure = rich!.data!["application/vnd.plotly.v1+json"] as { data: { x: number[] }[] };
  assert.ok(figure.data[0].x.length > 10, "the insertion curve has one point per region");
  assert.match(text(rich!.data!["text/plain"]), /pelican \(class 144\)/);
  const reuse = outputs.map((o) => text(o.data?.["text/plain"] ?? "")).find((t) => t.includes("cacheHits"));
  assert.ok(reuse && /cacheHits: [1-9]/.test(reuse), `the re-run reuses cached outputs: ${reuse}`);
  assert.ok(!outputs.some((o) => o.output_type === "error"));
});

test("nbconvert --allow-errors: a cell that throws shows its error and the following cells still run", () => {
  const dir = tempDir("nb-src-");
  const file = path.join(dir, "survive.ipynb");
  const cell = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });
  const notebook = {
    cells: [cell('throw new TypeError("bad input")'), cell('console.log("still alive"); 40 + 2')],
    metadata: { kernelspec: { name: "lima-ts", display_name: "TypeScript (lima-xai)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 4,
  };
  writeFileSync(file, JSON.stringify(notebook));
  const nb = execute(file, installKernel(), ["--allow-errors"]);
  const [first, second] = nb.cells.map((c) => c.outputs ?? []);
  assert.equal(first[0].output_type, "error");
  assert.equal(first[0].ename, "TypeError");
  assert.ok(second.some((o) => o.output_type === "stream"));
  assert.equal(text(second.find((o) => o.output_type === "execute_result")!.data!["text/plain"]), "42");
});

test("nbconvert executes fixtures/kernel-features.ipynb: streams, rich results, display updates, tagged error, chart, widget state", () => {
  const nb = execute(path.join(REPO, "test/kernel/fixtures/kernel-features.ipynb"), installKernel());
  const [streams, card, progress, failure, chart, widget, last] = nb.cells.filter((c) => c.outputs).map((c) => c.outputs!);
  assert.deepEqual(streams.map((o) => [o.name, text(o.text)]), [["stdout", "to stdout\n"], ["stderr", "to stderr\n"]]);
  assert.equal(card[0].output_type, "execute_result");
  assert.equal(text(card[0].data!["text/html"]), "<b>card</b>");
  assert.deepEqual(progress.map((o) => text(o.data!["text/plain"])), ["step 2 of 2"], "update_display_data replaced the first display");
  assert.equal(failure[0].output_type, "error");
  assert.equal(failure[0].ename, "RangeError");
  const figure = chart[0].data!["application/vnd.plotly.v1+json"] as { data: { type: string; y: number[] }[] };
  assert.deepEqual(figure.data[0].y, [3, 4]);
  const view = widget[0].data!["application/vnd.jupyter.widget-view+json"] as { model_id: string };
  const states = (nb.metadata.widgets as Record<string, { state: Record<string, { model_name: string; state: { value: number } }> }>)["application/vnd.jupyter.widget-state+json"].state;
  assert.equal(states[view.model_id].model_name, "IntSliderModel");
  assert.equal(states[view.model_id].state.value, 5, "the comm_msg update reached the front-end");
  assert.equal(text(last[0].data!["text/plain"]), "the notebook ran on after the error");
});
