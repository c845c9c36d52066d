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
  assert.equal((explorer.state.settings as { lambda_cons: number }).lambda_cons, 5);

  const metrics = explorer.state.metrics as { forward_passes: number; cache_hits: number; regions: number; insertion_auc: number };
  assert.ok(metrics.cache_hits > metrics.forward_passes, `the λ re-run mostly reads the cache: ${metrics.forward_passes} new, ${metrics.cache_hits} cached`);
  assert.ok(metrics.insertion_auc > 0.5 && metrics.insertion_auc <= 1);
  const order = explorer.state.order as number[];
  assert.equal(order.length, metrics.regions);
  assert.deepEqual([...order].sort((a, b) => a - b), order.map((_, i) => i), "the order is a permutation of the regions");

  const buffers = new Map((explorer.buffers ?? []).map((b) => [b.path.join("."), Buffer.from(b.data, b.encoding as BufferEncoding)]));
  assert.deepEqual([...buffers.keys()].sort(), ["image_png", "labels", "map_png"]);
  assert.equal(buffers.get("image_png")!.subarray(1, 4).toString(), "PNG");
  assert.equal(buffers.get("map_png")!.subarray(1, 4).toString(), "PNG");
  assert.equal(buffers.get("labels")!.length, 224 * 224 * 2, "a Uint16 region index per pixel");

  const history = outputs.map((o) => notebookText(o.data?.["text/plain"] ?? "")).find((t) => t.includes("newImages"));
  assert.match(history ?? "", /run: 2, outcome: 'done'/);
});
