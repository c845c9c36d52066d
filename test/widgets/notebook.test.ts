import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { EXPLORER_MODEL, EXPLORER_VIEW, SNAPSHOT_CLASS, WIDGET_MODULE } from "../../src/widgets/protocol";
import { executeNotebook, installKernel, notebookText } from "../support/nbconvert";
import { tempDir } from "../support/onnx-graphs";
import { MODELS, PHOTOS } from "../support/paths";

/** The explorer notebook: the model and photo, the explorer awaited, then a λ change from code. */
function explorerNotebook(): string {
  const code = (id: string, source: string[]) => ({ cell_type: "code", execution_count: null, id, metadata: {}, outputs: [], source: source.join("\n") });
  const file = path.join(tempDir("nb-explorer-"), "explorer.ipynb");
  writeFileSync(
    file,
    JSON.stringify({
      cells: [
        code("load", [
          `import { explore, loadImage, loadModel } from "lima-xai";`,
          `const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [${JSON.stringify(MODELS)}] });`,
          `const image = await loadImage(${JSON.stringify(path.join(PHOTOS, "pelican.jpeg"))}, model.card);`,
        ]),
        code("explore", [
          `const explorer = explore(model, { image, title: "pelican.jpeg" }, { settings: { division: { regions: 25 } } });`,
          `await explorer.whenIdle();`,
          `const { status, target_label, results } = explorer.get();`,
          `({ status, target_label, metrics: results[0]?.metrics })`,
        ]),
        code("update", [
          `explorer.update({ params: { lima: { cons: 5, colla: 20 } } });`,
          `await explorer.whenIdle();`,
          `explorer.history.map((h) => ({ run: h.run, outcome: h.outcome, newImages: h.forwardPasses, cached: h.cacheHits, seconds: +(h.ms / 1000).toFixed(2) }))`,
        ]),
      ],
      metadata: { kernelspec: { name: "lima-ts", display_name: "TypeScript (lima-xai)", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  return file;
}

interface SavedWidget {
  model_name: string;
  model_module: string;
  state: Record<string, unknown>;
  buffers?: { path: string[]; data: string; encoding: string }[];
}

test("nbclient saves the explorer's widget state, and its snapshot as of the last run, after executing an explorer notebook", () => {
  const nb = executeNotebook(explorerNotebook(), installKernel());
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.ok(!outputs.some((o) => o.output_type === "error"), JSON.stringify(outputs.filter((o) => o.output_type === "error")));
  const view = outputs.find((o) => o.data?.["application/vnd.jupyter.widget-view+json"]);
  assert.ok(view, "the explorer is displayed as a widget view");
  const modelId = (view!.data!["application/vnd.jupyter.widget-view+json"] as { model_id: string }).model_id;

  const saved = (nb.metadata.widgets as Record<string, { state: Record<string, SavedWidget> }>)["application/vnd.jupyter.widget-state+json"].state;
  const explorer = saved[modelId];
  assert.ok(explorer, `the notebook holds the state of model ${modelId}`);
  assert.equal(explorer.model_name, EXPLORER_MODEL);
  assert.equal(explorer.model_module, WIDGET_MODULE);
  assert.equal(explorer.state._view_name, EXPLORER_VIEW);
  assert.equal(explorer.state.status, "done");
  assert.equal(explorer.state.title, "pelican.jpeg");
  assert.equal(explorer.state.target_label, "pelican");
  assert.equal(explorer.state.run, 2, "the first run and the λ change");
  const settings = explorer.state.settings as { method: string; params: Record<string, Record<string, number>>; division: Record<string, unknown> };
  assert.equal(settings.method, "lima");
  assert.equal(settings.params.lima.cons, 5);
  assert.equal(settings.division.regions, 25);

  const [result] = explorer.state.results as { method: string; order: number[]; metrics: { forward_passes: number; cache_hits: number; insertion_auc: number } }[];
  const metrics = result.metrics;
  assert.ok(metrics.insertion_auc > 0.5 && metrics.insertion_auc <= 1);
  const order = result.order;
  assert.equal(order.length, explorer.state.regions);
  assert.deepEqual([...order].sort((a, b) => a - b), order.map((_, i) => i), "the order is a permutation of the regions");

  const buffers = new Map((explorer.buffers ?? []).map((b) => [b.path.join("."), Buffer.from(b.data, b.encoding as BufferEncoding)]));
  assert.deepEqual([...buffers.keys()].sort(), ["compare_map_png", "group_masks_png", "image_png", "labels", "map_png", "thumbs_png"]);
  assert.equal(buffers.get("image_png")!.subarray(1, 4).toString(), "PNG");
  assert.equal(buffers.get("map_png")!.subarray(1, 4).toString(), "PNG");
  assert.equal(buffers.get("labels")!.length, 224 * 224 * 2, "a Uint16 region index per pixel");

  const history = outputs.map((o) => notebookText(o.data?.["text/plain"] ?? "")).find((t) => t.includes("newImages"));
  assert.match(history ?? "", /run: 2, outcome: 'done'/);
  const newImages = [...(history ?? "").matchAll(/newImages: (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(newImages.length, 2);
  assert.ok(newImages[1] < 0.5 * newImages[0], `the λ re-run mostly reads cached outputs: ${newImages[1]} new images after ${newImages[0]}`);
  assert.equal(metrics.forward_passes, newImages[1], "the result's count is the run's");

  // The snapshot output follows the view in the explore cell; the λ change's run ended while the
  // next cell ran, and its update_display_data (sent under that cell) replaced it there.
  const exploreCell = nb.cells[1].outputs ?? [];
  const viewAt = exploreCell.findIndex((o) => o.data?.["application/vnd.jupyter.widget-view+json"]);
  const snapshot = exploreCell[viewAt + 1];
  const html = notebookText(snapshot?.data?.["text/html"] ?? "");
  assert.ok(html.includes(`class="${SNAPSHOT_CLASS}"`), `the output after the view is the snapshot: ${html.slice(0, 200)}`);
  assert.match(html, /data-run="2" data-status="done"/, "the snapshot shows the second run");
  assert.ok(html.includes(`<td style="border:1px solid #ccc;padding:2px 8px;text-align:left">${metrics.insertion_auc.toFixed(3)}</td>`), "with its insertion AUC");
  assert.match(html, /lima[^"]*cons 5, colla 20/, "and its settings");
});
