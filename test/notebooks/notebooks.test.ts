/**
 * Every notebook in notebooks/ (issue 16): executed with Debian's nbconvert on our kernel, its
 * self-check passes; nbconvert's HTML of it shows every chart and widget statically; Chromium
 * renders that HTML with no empty output box and every image decoded. A fixture of broken
 * outputs proves each check can fail.
 *
 * Notebooks run with `--ExecutePreprocessor.store_widget_state=False`: nbclient otherwise saves
 * the widget state in the notebook's metadata, and nbconvert's HTML then picks the widget view
 * for the explorer's output (an empty box offline, with no extension to render it) instead of
 * its text; the static snapshot (src/widgets/snapshot.ts) is what must show there.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { figureBundle } from "../../src/jupyter/mime";
import { launchChromium } from "../support/browser";
import { installKernel, type Notebook, notebookHtml, runNotebook } from "../support/nbconvert";
import { executionProblems, renderHtml, renderProblems, SELF_CHECK, staticFormProblems } from "../support/notebook-checks";
import { tempDir } from "../support/onnx-graphs";
import { REPO } from "../support/paths";

const DIR = path.join(REPO, "notebooks");
const NOTEBOOKS = readdirSync(DIR).filter((f) => f.endsWith(".ipynb")).sort();
const FIXTURE = path.join(REPO, "test/notebooks/fixtures/broken-outputs.ipynb");

let browser: Browser;
let jupyterPath: string;

before(async () => {
  jupyterPath = installKernel();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const load = () => os.loadavg()[0].toFixed(1);

describe("notebooks/*.ipynb", () => {
  test("notebooks/ holds notebooks", () => {
    assert.ok(NOTEBOOKS.length > 0, `no .ipynb in ${DIR}`);
  });

  for (const name of NOTEBOOKS) {
    test(`${name}: executes on our kernel, passes its self-check, and its HTML shows every chart and widget statically with no empty box`, async (t) => {
      const run = runNotebook(path.join(DIR, name), jupyterPath, ["--ExecutePreprocessor.store_widget_state=False"]);
      t.diagnostic(`${name}: executed in ${run.seconds.toFixed(1)} s (load average ${load()})`);
      assert.deepEqual(executionProblems(run.notebook), [], `${name} execution`);
      const page = await renderHtml(browser, notebookHtml(run.file));
      assert.deepEqual(staticFormProblems(run.notebook, page), [], `${name}: nbconvert's HTML`);
      assert.deepEqual(renderProblems(page), [], `${name}: Chromium's rendering of the HTML`);
      const charts = run.notebook.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && ("application/vnd.plotly.v1+json" in o.data || "image/svg+xml" in o.data)).length;
      const widgets = run.notebook.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && "application/vnd.jupyter.widget-view+json" in o.data).length;
      t.diagnostic(`${name}: ${charts} chart output(s), ${widgets} widget view(s), ${page.cells.reduce((n, c) => n + c.outputs.length, 0)} output boxes checked in Chromium`);
    });
  }
});

describe("the checks can fail", () => {
  test("fixtures/broken-outputs.ipynb: each broken output is reported by its check", async () => {
    const nb = JSON.parse(readFileSync(FIXTURE, "utf8")) as Notebook;
    assert.deepEqual(executionProblems(nb), ["code cell 4: error output RangeError: boom", `the last code cell's result is "not the self-check", not "${SELF_CHECK}"`]);
    const page = await renderHtml(browser, notebookHtml(FIXTURE));
    assert.deepEqual(staticFormProblems(nb, page), [
      "code cell 0 output 0: a plotly figure with no <img> or <svg> in its HTML (no static fallback)",
      "code cell 1 output 0: a widget view with no <img> or <svg> in its cell's HTML (no static snapshot)",
    ]);
    const rendered = renderProblems(page);
    assert.ok(rendered.some((p) => /^code cell 2 output 0: an empty box/.test(p)), `the empty text/html is caught: ${rendered.join(" | ")}`);
    assert.ok(rendered.includes("code cell 3 output 0: an <img> that did not decode (data:image/png;base64,AAAAAAAA…)"), `the broken image is caught: ${rendered.join(" | ")}`);
    assert.equal(rendered.length, 2, rendered.join(" | "));
  });

  test("a figure's bundle (figureBundle) passes the same checks: nbconvert shows its SVG fallback and Chromium decodes it", async () => {
    const figure = { data: [{ type: "scatter", mode: "lines+markers", name: "a", x: [0, 0.5, 1], y: [0.2, 0.9, 0.4] }], layout: { title: { text: "a chart" } } };
    const nb = {
      cells: [
        { cell_type: "code", execution_count: 1, id: "c1", metadata: {}, source: "figure", outputs: [{ output_type: "display_data", metadata: {}, data: figureBundle(figure) }] },
        { cell_type: "code", execution_count: 2, id: "c2", metadata: {}, source: `"${SELF_CHECK}"`, outputs: [{ output_type: "execute_result", execution_count: 2, metadata: {}, data: { "text/plain": SELF_CHECK } }] },
      ],
      metadata: { kernelspec: { name: "lima-ts", display_name: "TypeScript (lima-xai)", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const file = path.join(tempDir("nb-good-"), "good.ipynb");
    writeFileSync(file, JSON.stringify(nb));
    assert.deepEqual(executionProblems(nb as Notebook), []);
    const page = await renderHtml(browser, notebookHtml(file));
    assert.deepEqual(staticFormProblems(nb as Notebook, page), []);
    assert.deepEqual(renderProblems(page), []);
    assert.equal(page.cells[0].outputs[0].images, 1, "nbconvert picked text/html: the SVG as an <img>");
  });
});
