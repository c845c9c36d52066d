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

/** The numeric cells of a Markdown pipe table's rows (the text/plain form of the notebooks' tables). */
function tableRows(text: string): string[][] {
  return text.split("\n").filter((l) => /^\| \d/.test(l)).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
}

test("nbclient saves the explorer's widget state after executing notebooks/07-live-tuning.ipynb", () => {
  const nb = executeNotebook(path.join(REPO, "notebooks/07-live-tuning.ipynb"), installKernel());
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
  // The notebook ends the first explorer on the zebra photo, explained for "sorrel".
  assert.equal(explorer.state.title, "n02391049_zebra.JPEG");
  assert.equal(explorer.state.target_label, "sorrel");
  const settings = explorer.state.settings as { method: string; compare: string; params: Record<string, Record<string, number>>; division: Record<string, unknown> };
  assert.equal(settings.method, "lima");
  assert.equal(settings.compare, "");
  assert.equal(settings.params.lima.cons, 20);
  assert.equal(settings.params.rise.masks, 300);
  assert.equal(settings.division.regions, 16);

  const [result] = explorer.state.results as { method: string; order: number[]; metrics: { insertion_auc: number } }[];
  assert.ok(result.metrics.insertion_auc >= 0 && result.metrics.insertion_auc <= 1);
  const order = result.order;
  assert.equal(order.length, explorer.state.regions);
  assert.deepEqual([...order].sort((a, b) => a - b), order.map((_, i) => i), "the order is a permutation of the regions");

  const buffers = new Map((explorer.buffers ?? []).map((b) => [b.path.join("."), Buffer.from(b.data, b.encoding as BufferEncoding)]));
  assert.deepEqual([...buffers.keys()].sort(), ["compare_map_png", "group_masks_png", "image_png", "labels", "map_png", "thumbs_png"]);
  assert.equal(buffers.get("image_png")!.subarray(1, 4).toString(), "PNG");
  assert.equal(buffers.get("map_png")!.subarray(1, 4).toString(), "PNG");
  assert.equal(buffers.get("labels")!.length, 224 * 224 * 2, "a Uint16 region index per pixel");

  // The history table: run, change, outcome, new images, cache hits.
  const history = outputs.map((o) => notebookText(o.data?.["text/plain"] ?? "")).find((t) => t.includes("explorer.history: what each run cost"));
  const rows = tableRows(history ?? "");
  assert.equal(rows.length, 4, history);
  assert.ok(rows.every((r) => r[2] === "done"));
  const newImages = rows.map((r) => Number(r[3]));
  assert.ok(newImages[1] < 0.5 * newImages[0], `the λ re-run mostly reads cached outputs: ${newImages[1]} new images after ${newImages[0]}`);
  assert.equal(newImages[3], 0, "back to the first setting: everything cached");
});
