import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../support/onnx-graphs";
import { executeNotebook as execute, installKernel, notebookText as text } from "../support/nbconvert";
import { MODELS, PHOTOS, REPO } from "../support/paths";

/** A small explain notebook: pelican, 16 grid regions, then a λ change on the same explainer. */
function explainNotebook(): string {
  const code = (id: string, source: string[]) => ({ cell_type: "code", execution_count: null, id, metadata: {}, outputs: [], source: source.join("\n") });
  const file = path.join(tempDir("nb-explain-"), "explain.ipynb");
  writeFileSync(
    file,
    JSON.stringify({
      cells: [
        code("load", [
          `import { Explainer, loadImage, loadModel } from "lima-xai";`,
          `const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [${JSON.stringify(MODELS)}] });`,
          `const image = await loadImage(${JSON.stringify(path.join(PHOTOS, "pelican.jpeg"))}, model.card);`,
        ]),
        code("explain", [`const explainer = new Explainer(model, { np: 4, division: { method: "grid", regions: ${REGIONS} } });`, `const result = await explainer.explain(image);`, `result`]),
        code("again", [`explainer.setOptions({ lambdas: { cons: 1, colla: 20 } });`, `const again = await explainer.explain(image);`, `({ forwardPasses: again.forwardPasses, cacheHits: again.cacheHits })`]),
      ],
      metadata: { kernelspec: { name: "lima-ts", display_name: "TypeScript (lima-xai)", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  return file;
}

const REGIONS = 16;

test("nbconvert executes an explain notebook: the result saves the map (image/png), the curves (image/svg+xml) and both as <img> in text/html", () => {
  const nb = execute(explainNotebook(), installKernel());
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.ok(!outputs.some((o) => o.output_type === "error"), JSON.stringify(outputs.filter((o) => o.output_type === "error")));
  const rich = outputs.find((o) => o.data && "image/png" in o.data);
  assert.ok(rich, "an image/png output");
  assert.match(text(rich!.data!["text/plain"]), /pelican \(class 144\)/);
  const svg = text(rich!.data!["image/svg+xml"]);
  const insertion = /<g class="trace scatter" data-name="insertion \(AUC [\d.]+\)">\n<polyline class="line" points="([^"]+)"/.exec(svg);
  assert.ok(insertion, "the curves' SVG has the insertion line");
  assert.equal(insertion![1].split(" ").length, REGIONS + 1, "one point per region, and the empty image");
  const html = text(rich!.data!["text/html"]);
  const images = [...html.matchAll(/<img src="data:(image\/[\w+]+);base64,([^"]+)"/g)];
  assert.deepEqual(images.map((m) => m[1]), ["image/png", "image/svg+xml"], "the map and the curves side by side");
  assert.equal(Buffer.from(images[1][2], "base64").toString("utf8"), svg);
  assert.ok(!("application/vnd.plotly.v1+json" in rich!.data!), "no plotly form: it would hide the map in JupyterLab");
  const reuse = outputs.map((o) => text(o.data?.["text/plain"] ?? "")).find((t) => t.includes("cacheHits"));
  assert.ok(reuse && /cacheHits: [1-9]/.test(reuse), `the re-run reuses cached outputs: ${reuse}`);
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
  assert.match(text(chart[0].data!["image/svg+xml"]), /^<svg /, "with its static SVG fallback");
  const view = widget[0].data!["application/vnd.jupyter.widget-view+json"] as { model_id: string };
  const states = (nb.metadata.widgets as Record<string, { state: Record<string, { model_name: string; state: { value: number } }> }>)["application/vnd.jupyter.widget-state+json"].state;
  assert.equal(states[view.model_id].model_name, "IntSliderModel");
  assert.equal(states[view.model_id].state.value, 5, "the comm_msg update reached the front-end");
  assert.equal(text(last[0].data!["text/plain"]), "the notebook ran on after the error");
});
