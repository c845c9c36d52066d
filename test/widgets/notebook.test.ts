import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { EXPLORER_MODEL, EXPLORER_VIEW, WIDGET_MODULE } from "../../src/widgets/protocol";
import { executeNotebook, installKernel, notebookText } from "../support/nbconvert";
import { REPO } from "../support/paths";

interface SavedWidget {
  model_name: string;
  model_module: string;
  state: Record<string, unknown>;
  buffers?: { path: string[]; data: string; encoding: string }[];
}

test("nbclient saves the explorer's widget state after executing notebooks/02-explorer.ipynb", () => {
  const nb = executeNotebook(path.join(REPO, "notebooks/02-explorer.ipynb"), installKernel());
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
});
