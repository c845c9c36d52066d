import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { copyFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setJupyterHost } from "../../src/jupyter/host";
import { loadModel } from "../../src/model/load";
import { getMethod, METHODS } from "../../src/methods/registry";
import { DEFAULT_PRESET, PRESETS } from "../../src/params/lima";
import { divisionParamsFor, methodOptions } from "../../src/widgets/schema";
import { felzenszwalbDivision, loadRegionLabels } from "../../src/division";
import type { NumberParam } from "../../src/params/types";
import type { Division, RgbImage } from "../../src/types";
import { CachedModel, imageKey } from "../../src/widgets/cached-model";
import { regionCurves, regionOrderFromMap } from "../../src/widgets/curves";
import { defaultSettings, explore, type ExplorerSettingsInput, type ExplorerWidget, loadPhotos, resolveSettings } from "../../src/widgets/explorer";
import { serveExplorerPage } from "../../src/widgets/page-host";
import { BINARY_KEYS, EXPLORER_MODEL, type MethodResult, PAGE_TARGET, WIDGET_MODULE, WRITABLE_KEYS } from "../../src/widgets/protocol";
import { LatestWins } from "../../src/widgets/scheduler";
import { WIDGET_VIEW_MIME } from "../../src/widgets/widget";
import { FakeComm, FakeHost } from "../support/fake-host";
import { blockImage, fakeModel } from "../support/fake-model";
import { tempDir } from "../support/onnx-graphs";
import { IMAGENET, MODELS } from "../support/paths";

const SIZE = 32;


/** Class 0's score: a logistic of a weighted sum of the pixels' red and green (position-dependent). */
function score(image: RgbImage): number {
  let s = 0;
  for (let p = 0; p < SIZE * SIZE; p++) {
    const w = ((p % SIZE) / SIZE) * 2 - 0.5 + ((p / SIZE) | 0) / SIZE;
    s += (w * image.data[p * 3] - 0.3 * image.data[p * 3 + 1]) / 255;
  }
  return 1 / (1 + Math.exp(-s / 40));
}

/** The fake model with WordNet ids on its classes, each batch taking `ms`. */
function slowModel(ms: number, fail?: (batch: number) => boolean) {
  const model = Object.assign(fakeModel(score, { width: SIZE, height: SIZE, batchSize: 8 }), {
    classes: [{ wnid: "n00000001", label: "target" }, { wnid: "n00000002", label: "rest" }],
  });
  const run = model.run.bind(model);
  let batches = 0;
  model.run = async (images, control) => {
    await new Promise((r) => setTimeout(r, ms));
    if (fail?.(++batches)) throw new Error("model output 0 is NaN for class 0");
    return run(images, control);
  };
  return model;
}

/** Small and fast: a 4×4 grid, n_p 2, RISE with 64 masks. */
const small: ExplorerSettingsInput = { division: { division: "grid", regions: 16 }, params: { lima: { np: 2 }, rise: { masks: 64 } } };

/** An explorer on the block image; idle-time prefetch off unless asked for (the tests count model passes). */
function setup(settings: ExplorerSettingsInput = small, options: { cacheBytes?: number; ms?: number; fail?: (batch: number) => boolean; photos?: { image: RgbImage; title: string }[]; prefetch?: number; snapshotIntervalMs?: number } = {}) {
  const host = new FakeHost();
  setJupyterHost(host);
  const model = slowModel(options.ms ?? 0, options.fail);
  const widget = explore(model, options.photos ?? blockImage(7), { title: "<b>blocks</b>", settings, cacheBytes: options.cacheBytes, prefetch: options.prefetch ?? 0, snapshotIntervalMs: options.snapshotIntervalMs });
  const comm = host.opened[0].comm;
  return { host, model, widget, comm };
}

/** Plays the front-end: the whole settings value as the widget manager sends it after a control changes. */
function change(comm: FakeComm, widget: ExplorerWidget, patch: Partial<{ method: string; compare: string; target: number }>, params: Record<string, Record<string, unknown>> = {}, division: Record<string, unknown> = {}): void {
  const s = widget.settings;
  const merged = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, { ...v, ...params[k] }]));
  comm.deliver({ method: "update", state: { settings: { ...s, ...patch, params: merged, division: { ...s.division, ...division } } }, buffer_paths: [] });
}

/** Waits (polling every turn of the event loop, at most 10 s) until `ready()` holds. */
async function until(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${ready.toString()}`);
    await new Promise((r) => setImmediate(r));
  }
}

const results = (w: ExplorerWidget) => w.get().results as MethodResult[];

/** The <img> data: URLs of an HTML text, decoded: [mime, bytes]. */
function images(html: string): [string, Buffer][] {
  return [...html.matchAll(/<img src="data:(image\/[\w+]+);base64,([^"]+)"/g)].map((m) => [m[1], Buffer.from(m[2], "base64")]);
}

describe("explorer widget: static snapshot", () => {
  after(() => setJupyterHost(undefined));

  it("explore() shows a snapshot output with a display_id after the view; a finished run replaces it with the maps, curves, metrics and settings", async () => {
    const { host, widget } = setup({ ...small, compare: "rise" });
    const [view, first] = host.displays;
    assert.ok(WIDGET_VIEW_MIME in view.bundle);
    const id = first.options?.displayId;
    assert.ok(id && id.includes(widget.modelId), "a display_id naming the widget");
    assert.ok(!first.options?.update);
    assert.match(first.bundle["text/html"] as string, /class="lima-xai-snapshot"/);
    assert.deepEqual(images(first.bundle["text/html"] as string).map(([m]) => m), ["image/png"], "before a result: the photo");
    await widget.whenIdle();
    const last = host.displays.at(-1)!;
    assert.equal(last.options?.displayId, id);
    assert.equal(last.options?.update, true, "update_display_data");
    assert.equal(last.options?.toRunningCell, true, "sent under the running cell, so nbclient applies it");
    const html = last.bundle["text/html"] as string;
    const imgs = images(html);
    assert.deepEqual(imgs.map(([m]) => m), ["image/png", "image/png", "image/svg+xml"], "two maps (method and compared one), the curves");
    for (const [, png] of imgs.slice(0, 2)) assert.deepEqual([...png.subarray(0, 4)], [137, 80, 78, 71]);
    const svg = imgs[2][1].toString("utf8");
    const r = results(widget);
    for (const m of r) for (const kind of ["insertion", "deletion"]) assert.ok(svg.includes(`data-name="${m.method} ${kind} (AUC ${m[kind as "insertion"].auc.toFixed(3)})"`), `curve ${m.method} ${kind}`);
    assert.ok(html.includes(`<td style="border:1px solid #ccc;padding:2px 8px;text-align:left">${r[0].metrics.insertion_auc.toFixed(3)}</td>`), "the metrics table holds the insertion AUC");
    assert.match(html, /method lima \(.*np 2.*\) · compared with rise \(.*masks 64.*\) · division grid, regions 16 → \|V\| 16 · target the prediction/);
    assert.ok(html.includes("&#60;b&#62;blocks&#60;/b&#62;") && !html.includes("<b>blocks"), "the title is escaped");
    assert.match(html, new RegExp(`data-run="${widget.get().run}" data-status="done"`));
  });

  it("snapshot updates are throttled (at most one per interval); whenIdle() sends a held-back one at once", async () => {
    const { host, widget, comm } = setup(small, { snapshotIntervalMs: 60_000 });
    await widget.whenIdle();
    assert.equal(widget.snapshotUpdates, 1, "the first run's update, held back by the interval, flushed by whenIdle");
    for (const np of [3, 4, 5]) {
      change(comm, widget, {}, { lima: { np } });
      await widget.whenIdle();
    }
    assert.equal(widget.snapshotUpdates, 4);
    change(comm, widget, {}, { lima: { np: 6 } });
    await until(() => widget.get().status === "done" && results(widget)[0]?.run === widget.get().run);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(widget.get().run, 5);
    assert.equal(widget.snapshotUpdates, 4, "within the interval the update waits");
    assert.match(host.displays.at(-1)!.bundle["text/html"] as string, /data-run="4"/);
    widget.close();
  });

  it("with interval 0 every finished run updates the snapshot at once", async () => {
    const { host, widget, comm } = setup(small, { snapshotIntervalMs: 0 });
    await until(() => widget.snapshotUpdates === 1);
    change(comm, widget, {}, { lima: { np: 3 } });
    await until(() => widget.snapshotUpdates === 2);
    assert.match(host.displays.at(-1)!.bundle["text/html"] as string, /data-run="2" data-status="done"/);
    widget.close();
  });

  it("snapshot: false shows only the view", () => {
    const host = new FakeHost();
    setJupyterHost(host);
    const w = explore(slowModel(0), blockImage(7), { settings: small, prefetch: 0, snapshot: false });
    assert.equal(host.displays.length, 1);
    w.close();
  });
});

describe("explorer widget: protocol", () => {
  after(() => setJupyterHost(undefined));

  it("opens a jupyter.widget comm with the state and the schema, binaries as buffers, and displays the view", async () => {
    const { host, widget } = setup();
    const open = host.opened[0];
    assert.equal(open.comm.targetName, "jupyter.widget");
    assert.deepEqual(open.metadata, { version: "2.1.0" });
    const state = open.data.state as Record<string, unknown>;
    assert.equal(state._model_name, EXPLORER_MODEL);
    assert.equal(state._model_module, WIDGET_MODULE);
    assert.equal(state.title, "<b>blocks</b>", "text goes as it is (the view shows it as text)");
    const methods = state.methods as { name: string; params: { name: string; default: unknown; meaning: string }[] }[];
    assert.deepEqual(methods.map((m) => m.name), METHODS.map((m) => m.name), "the method selector is the registry");
    for (const m of METHODS) {
      const sent = methods.find((x) => x.name === m.name)!;
      assert.deepEqual(sent.params, JSON.parse(JSON.stringify(m.params)), `${m.name}'s controls come from its schema (ranges, defaults, meanings)`);
    }
    assert.ok((state.division_params as unknown[]).length > 0);
    for (const key of BINARY_KEYS) assert.ok(!(key in state), `${key} is not in the JSON state`);
    assert.deepEqual(open.data.buffer_paths, BINARY_KEYS.map((k) => [k]));
    assert.deepEqual([...open.buffers[0].subarray(0, 4)], [137, 80, 78, 71], "image_png is PNG bytes");
    assert.equal(host.displays.length, 2, "the view, then its static snapshot");
    assert.deepEqual(host.displays[0].bundle[WIDGET_VIEW_MIME], { model_id: open.comm.commId, version_major: 2, version_minor: 1 });
    assert.match(host.displays[0].bundle["text/plain"] as string, /live view needs the lima-xai-widgets extension/);
    await widget.whenIdle();
    assert.equal(widget.get().status, "done", widget.get().error);
    assert.equal(widget.get().regions, 16, "the |V| the division produced");
  });

  it("answers request_state with the full state and echoes front-end updates", async () => {
    const { host, comm, widget } = setup();
    await widget.whenIdle();
    comm.sent.length = 0;
    comm.deliver({ method: "request_state" });
    const full = comm.sent.at(-1)!;
    assert.equal(full.data.method, "update");
    // JupyterLab restoring widgets after a reload builds the model from this reply alone.
    const opened = host.opened[0].data.state as Record<string, unknown>;
    const identity = ["_model_name", "_model_module", "_model_module_version", "_view_name", "_view_module", "_view_module_version"];
    for (const key of identity) assert.equal((full.data.state as Record<string, unknown>)[key], opened[key], `request_state's reply carries ${key}`);
    assert.equal((full.data.state as Record<string, unknown>).status, "done");
    assert.equal(full.buffers.length, BINARY_KEYS.length);
    const at = (k: (typeof BINARY_KEYS)[number]) => full.buffers[BINARY_KEYS.indexOf(k)];
    assert.ok(at("map_png").length > 8 && at("labels").length === SIZE * SIZE * 2, "map PNG and Uint16 labels are set after a run");
    assert.equal(at("compare_map_png").length, 0, "no comparison: no second map");
    comm.deliver({ method: "update", state: { opacity: 0.8 }, buffer_paths: [] });
    assert.deepEqual(comm.updates("echo_update").at(-1), { opacity: 0.8 });
    assert.equal(widget.get().opacity, 0.8);
    comm.deliver({ method: "update", state: { y_fit: true }, buffer_paths: [] });
    assert.equal(widget.get().y_fit, true);
    assert.equal(widget.runsStarted, 1, "opacity and the y axis do not re-run anything");
  });

  it("refuses writes to kernel-owned keys (run, classes, width, metrics…) and sends the kernel's values again", async () => {
    const { comm, widget } = setup();
    await widget.whenIdle();
    const before = structuredClone({ run: widget.get().run, classes: widget.get().classes, width: widget.get().width, results: widget.get().results, status: widget.get().status });
    comm.sent.length = 0;
    comm.deliver({ method: "update", state: { run: "abc11", classes: ["x"] }, buffer_paths: [] });
    assert.equal(comm.updates("echo_update").length, 0, "nothing echoed");
    assert.deepEqual(comm.updates()[0], { run: before.run, classes: before.classes }, "the kernel's own values go back");
    assert.match(widget.get().error, /run, classes are read-only/);
    assert.equal(widget.get().run, before.run);
    // A mix of a writable and a kernel-owned key is refused as a whole.
    comm.deliver({ method: "update", state: { opacity: 0.1, width: 5 }, buffer_paths: [] });
    assert.equal(widget.get().opacity, 0.5);
    assert.equal(widget.get().width, SIZE);
    // Every key the kernel owns, one at a time.
    const owned = Object.keys(widget.get()).filter((k) => !(WRITABLE_KEYS as readonly string[]).includes(k));
    assert.ok(owned.includes("status") && owned.includes("results"));
    for (const key of owned) {
      comm.sent.length = 0;
      comm.deliver({ method: "update", state: { [key]: "forged" }, buffer_paths: [] });
      assert.notEqual((widget.get() as unknown as Record<string, unknown>)[key], "forged", `${key} stays the kernel's`);
      assert.equal(comm.updates("echo_update").length, 0, `${key}: no echo`);
      const resent = comm.sent.find((m) => m.data.method === "update")!;
      const sentKeys = [...Object.keys(resent.data.state as object), ...(resent.data.buffer_paths as string[][]).map((p) => p[0])];
      assert.ok(sentKeys.includes(key), `${key}: the kernel re-sends its value`);
    }
    assert.deepEqual(widget.get().results, before.results);
    assert.equal(widget.runsStarted, 1, "no refused write started a run");
  });

  it("refuses bad settings with an error naming each value, keeps the settings in force and keeps working", async () => {
    const { comm, widget } = setup();
    await widget.whenIdle();
    change(comm, widget, { method: "nope" }, { lima: { np: 0 } });
    assert.match(widget.get().error, /method "nope" is not allowed: use one of lima/);
    assert.match(widget.get().error, /params\.lima: np 0 is not allowed/);
    assert.equal(widget.settings.params.lima.np, 2, "the settings in force are kept");
    assert.equal(widget.runsStarted, 1);
    change(comm, widget, {}, {}, { regions: 15 }); // in the schema's range, but a grid needs a square: the division says so
    await widget.whenIdle();
    assert.equal(widget.get().status, "error");
    assert.match(widget.get().error, /not a perfect square/);
    change(comm, widget, {}, {}, { regions: 9 });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done");
    assert.equal(widget.get().error, "");
    assert.equal(widget.get().regions, 9);
  });

  it("picking a λ preset moves the λ values to the preset's weights; a λ moved in the same change wins", () => {
    const base = resolveSettings({}, 2);
    assert.equal(base.params.lima.preset, DEFAULT_PRESET);
    const reference = resolveSettings({ params: { lima: { ...base.params.lima, preset: "reference" } } }, 2, undefined, undefined, base);
    for (const k of ["cons", "colla", "conf", "eff"] as const) assert.equal(reference.params.lima[k], PRESETS.reference[k], `λ_${k} follows the preset`);
    const mixed = resolveSettings({ params: { lima: { ...base.params.lima, preset: "reference", cons: 3 } } }, 2, undefined, undefined, base);
    assert.equal(mixed.params.lima.cons, 3);
    assert.equal(mixed.params.lima.eff, PRESETS.reference.eff);
    assert.deepEqual(methodOptions(getMethod("lima").params, mixed.params.lima).lambdas, { ...PRESETS.reference, cons: 3 }, "λ goes to the method as the nested object");
  });

  it("resolveSettings checks against the schema and reports every problem at once", () => {
    const lima = METHODS.find((m) => m.name === "lima")!;
    const np = lima.params.find((p) => p.name === "np") as NumberParam;
    assert.throws(() => resolveSettings({ compare: "lima", params: { lima: { np: np.max + 1 } }, target: 2, colour: 1 }, 2), (e: Error) => {
      assert.ok(e instanceof RangeError);
      for (const part of ["unknown setting(s) colour", "compare \"lima\" is the method itself", `np ${np.max + 1} is not allowed`, "target 2 is not allowed"]) assert.ok(e.message.includes(part), `${e.message} names ${part}`);
      return true;
    });
    assert.deepEqual(resolveSettings({}, 2), defaultSettings(), "nothing given: every default");
    assert.equal(resolveSettings({ params: { lima: { np: np.max } } }, 2).params.lima.np, np.max, "the upper bound itself is accepted");
  });
});

describe("explorer widget: methods, comparison, photos", () => {
  after(() => setJupyterHost(undefined));

  it("switching to RISE and back keeps each method's own options", async () => {
    const { comm, widget } = setup();
    await widget.whenIdle();
    change(comm, widget, {}, { lima: { np: 3 } });
    await widget.whenIdle();
    change(comm, widget, { method: "rise" });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done", widget.get().error);
    assert.deepEqual(results(widget).map((r) => r.method), ["rise"]);
    assert.equal(results(widget)[0].order.length, 16, "RISE's map ordered by region means on the shared division");
    change(comm, widget, { method: "lima" });
    await widget.whenIdle();
    assert.equal(widget.settings.params.lima.np, 3, "LIMA's n_p survived the switch");
    assert.equal(widget.settings.params.rise.masks, 64);
    assert.deepEqual(results(widget).map((r) => r.method), ["lima"]);
  });

  it("the division control offers felzenszwalb: picking it divides by its scale, and |V| is the count the scale gave", async () => {
    const { comm, widget } = setup();
    await widget.whenIdle();
    const choice = (widget.get().division_params as { name: string; choices?: string[] }[]).find((p) => p.name === "division");
    assert.ok(choice?.choices?.includes("felzenszwalb"));
    const expected = felzenszwalbDivision(blockImage(7), { scale: 300, minSize: 8 });
    assert.ok(expected.count >= 3 && expected.count <= 64, `a few regions on the block image: ${expected.count}`);
    change(comm, widget, {}, {}, { division: "felzenszwalb", scale: 300, minSize: 8 });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done", widget.get().error);
    assert.equal(widget.get().regions, expected.count, "|V| shown is felzenszwalb's count");
    assert.equal(results(widget)[0].order.length, expected.count);
    const labels = widget.get().labels as Uint8Array;
    assert.deepEqual(Array.from({ length: labels.length / 2 }, (_, i) => labels[2 * i] | (labels[2 * i + 1] << 8)), Array.from(expected.labels));
    // |V| moves nothing under felzenszwalb: the same regions come back.
    change(comm, widget, {}, {}, { regions: 9 });
    await widget.whenIdle();
    assert.equal(widget.get().regions, expected.count);
  });

  it("compare mode runs two methods on the same photo and division: two maps, two curves each, metrics side by side", async () => {
    const { comm, widget, host } = setup();
    await widget.whenIdle();
    change(comm, widget, { compare: "rise" });
    await widget.whenIdle();
    const r = results(widget);
    assert.deepEqual(r.map((x) => x.method), ["lima", "rise"]);
    for (const x of r) {
      assert.equal(x.insertion.y.length, 17);
      assert.equal(x.deletion.y.length, 17);
      assert.equal(x.insertion.x.at(-1), 1);
      assert.ok(x.map_range[0] <= x.map_range[1]);
      assert.ok(Number.isFinite(x.metrics.insertion_auc) && x.metrics.forward_passes + x.metrics.cache_hits > 0);
      const hc = x.metrics.highest_confidence;
      assert.equal(hc.length, 4);
      for (let i = 1; i < 4; i++) assert.ok(hc[i] >= hc[i - 1], `highest confidence ≤25/50/75/100 % never falls: ${hc}`);
      assert.equal(hc[3], Math.max(...x.insertion.y), "within 100 % of the photo: the curve's maximum");
    }
    assert.notDeepEqual(r[0].order, r[1].order, "two methods, two orders (this image)");
    assert.equal(r[0].insertion.y[16], r[1].insertion.y[16], "both curves end at the full photo");
    assert.equal(r[0].insertion.y[16], widget.get().target_probability);
    assert.deepEqual(r.map((x) => x.target_label), [widget.get().target_label, widget.get().target_label]);
    const last = host.opened[0].comm.sent.filter((m) => m.data.method === "update" && (m.data.buffer_paths as string[][]).some((p) => p[0] === "compare_map_png")).at(-1)!;
    const index = (last.data.buffer_paths as string[][]).findIndex((p) => p[0] === "compare_map_png");
    assert.deepEqual([...last.buffers[index].subarray(0, 4)], [137, 80, 78, 71], "the compared map is a PNG");
    assert.ok(r[1].metrics.ms >= 0);
  });

  it("photo strip: predicted and true labels, thumbnails; switching photo keeps the settings", async () => {
    const photos = [
      { image: blockImage(7), title: "n00000001_blocks.JPEG" },
      { image: blockImage(8), title: "other.png" },
    ];
    const { comm, widget, host } = setup(small, { photos });
    await widget.whenIdle();
    const info = widget.get().photos;
    assert.deepEqual(info.map((p) => p.truth), ["target", ""], "true label from the ImageNet-style name only");
    for (const [i, p] of info.entries()) {
      assert.equal(p.predicted, score(photos[i].image) >= 0.5 ? "target" : "rest");
      assert.ok(Math.abs(p.predicted_score - Math.max(score(photos[i].image), 1 - score(photos[i].image))) < 1e-6);
    }
    const thumbs = host.opened[0].buffers[BINARY_KEYS.indexOf("thumbs_png")];
    assert.equal(info[1].thumb[0] + info[1].thumb[1], thumbs.length);
    assert.deepEqual([...thumbs.subarray(info[1].thumb[0], info[1].thumb[0] + 4)], [137, 80, 78, 71], "each thumbnail is a PNG");
    change(comm, widget, { compare: "rise" }, { lima: { np: 3 } });
    await widget.whenIdle();
    const orderOnFirst = results(widget)[0].order;
    comm.deliver({ method: "update", state: { photo: 1 }, buffer_paths: [] });
    assert.equal(widget.get().title, "other.png");
    await widget.whenIdle();
    assert.equal(widget.get().status, "done");
    assert.equal(widget.settings.params.lima.np, 3);
    assert.equal(widget.settings.compare, "rise", "still comparing");
    assert.equal(results(widget).length, 2);
    assert.notDeepEqual(results(widget)[0].order, orderOnFirst, "the other photo's order");
    assert.equal(widget.history.at(-1)!.photo, 1);
    comm.deliver({ method: "update", state: { photo: 2 }, buffer_paths: [] });
    assert.match(widget.get().error, /photo 2 is not allowed: use 0\.\.1/);
  });

  it("while a run goes the previous results stay, marked by their older run number; reset puts the defaults back", async () => {
    const { comm, widget } = setup(small, { ms: 3 });
    await widget.whenIdle();
    change(comm, widget, {}, { lima: { cons: 1 } }, { regions: 9 });
    await until(() => widget.get().status === "running");
    assert.equal(widget.get().status, "running");
    assert.ok(results(widget).length === 1 && results(widget)[0].run < widget.get().run, "stale: results of an older run");
    assert.ok(widget.get().progress && widget.get().progress!.fraction >= 0);
    await widget.whenIdle();
    assert.equal(results(widget)[0].run, widget.get().run, "fresh again");
    comm.deliver({ method: "custom", content: { type: "reset" } });
    assert.deepEqual(widget.settings, defaultSettings(), "every setting back to the schema's default");
    widget.stop();
    await widget.whenIdle();
  });
});

describe("explorer widget: incremental runs", () => {
  after(() => setJupyterHost(undefined));

  it("a λ change reuses the model outputs; going back to an earlier |V| runs nothing new", async () => {
    const { comm, widget, model } = setup();
    await widget.whenIdle();
    const first = widget.history[0];
    assert.equal(first.outcome, "done");
    assert.ok(first.forwardPasses > 100, `first run ran ${first.forwardPasses} images`);
    change(comm, widget, {}, { lima: { cons: 1, colla: 20 } });
    await widget.whenIdle();
    const lambdaRun = widget.history[1];
    assert.equal(lambdaRun.outcome, "done");
    assert.ok(lambdaRun.forwardPasses < 0.5 * first.forwardPasses, `λ change: ${lambdaRun.forwardPasses} new images (first run ${first.forwardPasses})`);
    change(comm, widget, {}, {}, { regions: 9 });
    await widget.whenIdle();
    assert.equal(widget.get().regions, 9);
    const passes = model.forwardPasses;
    change(comm, widget, {}, {}, { regions: 16 });
    await widget.whenIdle();
    assert.equal(model.forwardPasses, passes, "back at |V| = 16 with the same λ: every output from the cache");
    assert.equal(widget.history.at(-1)!.forwardPasses, 0);
  });

  it("idle time prefetches the last-moved λ's next step: that move then runs no model at all", async () => {
    const { comm, widget, model } = setup(small, { prefetch: 2 });
    await widget.whenIdle();
    await widget.whenPrefetched();
    // Move λ_cons one step (0.5) down, then let the idle time prefetch the next step down first.
    change(comm, widget, {}, { lima: { cons: 19.5 } });
    await widget.whenIdle();
    await widget.whenPrefetched();
    assert.equal(widget.lastPrefetch?.done[0]?.control, "cons", "the control moved last comes first");
    assert.equal(widget.lastPrefetch?.done[0]?.direction, -1, "in the direction it moved");
    const passes = model.forwardPasses;
    change(comm, widget, {}, { lima: { cons: 19 } });
    await widget.whenIdle();
    assert.equal(widget.history.at(-1)!.outcome, "done");
    assert.equal(widget.history.at(-1)!.forwardPasses, 0, "every output of the one-step move was prefetched");
    assert.equal(model.forwardPasses - passes, 0);
    // The record counts the hits of LIMA's own subset cache too, not only the explorer's image cache.
    const first = widget.history[0];
    assert.ok(widget.history.at(-1)!.cacheHits > 0.9 * first.forwardPasses, `hits of the prefetched move ${widget.history.at(-1)!.cacheHits}, first run's passes ${first.forwardPasses}`);
    const [result] = widget.get().results as MethodResult[];
    assert.equal(result.metrics.forward_passes, 0);
    assert.ok(result.metrics.cache_hits > 0.9 * first.forwardPasses, `LIMA's result shows ${result.metrics.cache_hits} hits`);
  });

  it("a request aborts the prefetch in flight at once", async () => {
    const { comm, widget } = setup(small, { prefetch: 2, ms: 5 });
    await widget.whenIdle();
    const prefetch = widget.whenPrefetched();
    change(comm, widget, {}, { lima: { cons: 5 } });
    await prefetch;
    assert.notEqual(widget.lastPrefetch?.stopped, "done", "cut short by the request");
    await widget.whenIdle();
    assert.equal(widget.history.at(-1)!.outcome, "done");
  });

  it("streams progress while a run goes, at most ten updates a second", async () => {
    const { comm, widget } = setup({ ...small, compare: "rise" }, { ms: 2 });
    await widget.whenIdle();
    const progress = comm.updates().filter((s) => s.progress).map((s) => s.progress as { fraction: number; phase: string });
    assert.ok(progress.length >= 3, `${progress.length} progress updates`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].fraction >= progress[i - 1].fraction, "progress only grows");
    assert.ok(progress.some((p) => p.phase.startsWith("rise")), "the compared method's phase is named");
    const ms = widget.history[0].ms;
    assert.ok(progress.length <= ms / 100 + 12, `${progress.length} updates in ${ms.toFixed(0)} ms`);
  });

  it("latest wins: a burst of 20 changes starts at most 2 runs and ends on the last", async () => {
    const { comm, widget } = setup(small, { ms: 2 });
    await until(() => widget.get().status === "running" && widget.history.length === 0);
    assert.equal(widget.get().status, "running", "the first run is going");
    for (let i = 0; i < 20; i++) change(comm, widget, {}, { lima: { cons: i } });
    await widget.whenIdle();
    assert.ok(widget.runsStarted <= 2, `${widget.runsStarted} runs started`);
    assert.equal(widget.get().status, "done");
    assert.equal(widget.history.at(-1)!.settings.params.lima.cons, 19);
    assert.equal(widget.history.filter((h) => h.outcome === "done").length, 1);
  });

  it("the stop button stops the run: no model call after it", async () => {
    // 20 ms a batch: the greedy run (34 batches) lasts long enough for a progress update past 0
    // (they are sent at most every 100 ms) on an idle machine too.
    const { comm, widget, model } = setup({ ...small, params: { lima: { np: 2, search: "greedy" } } }, { ms: 20 });
    await until(() => widget.get().status === "running" && (widget.get().progress?.fraction ?? 0) > 0);
    assert.equal(widget.get().status, "running");
    comm.deliver({ method: "custom", content: { type: "stop" } });
    await widget.whenIdle();
    assert.equal(widget.get().status, "stopped");
    const passes = model.forwardPasses;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(model.forwardPasses, passes);
    assert.ok(passes < 16 * 17, `stopped after ${passes} of ${16 * 17} images`);
    change(comm, widget, {}, { lima: { search: "bidirectional" } });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done", "a later change runs again");
  });

  it("a λ change re-binds LIMA's attributor in place: its own memo serves the re-run", async () => {
    const { comm, widget, model } = setup();
    await widget.whenIdle();
    const images = model.forwardPasses;
    const hits = widget.cached.hits;
    change(comm, widget, {}, { lima: { cons: 3 } });
    await widget.whenIdle();
    assert.ok(model.forwardPasses - images < 0.5 * images, `${model.forwardPasses - images} new images after a λ change`);
    // Subsets LIMA saw before come from its own memo and never reach the explorer's cache: what
    // reaches it as hits is at most the full photo and the curves' 2·(|V| + 1) images.
    assert.ok(widget.cached.hits - hits <= 1 + 2 * 17, `${widget.cached.hits - hits} explorer-cache hits`);
    assert.equal(widget.get().status, "done");
  });

  it("cached outputs respect the memory bound (LRU eviction)", async () => {
    const { widget } = setup(small, { cacheBytes: 5_000 });
    await widget.whenIdle();
    assert.ok(widget.cached.cache.evictions > 0, `${widget.cached.cache.evictions} evictions`);
    assert.ok(widget.cached.cache.bytes <= 5_000, `${widget.cached.cache.bytes} bytes held`);
    assert.equal(widget.get().status, "done");
  });

  it("a model error (a NaN output) becomes an error on the widget, and the next change runs", async () => {
    let broken = true;
    const { comm, widget } = setup(small, { fail: (batch) => broken && batch === 3 });
    await widget.whenIdle();
    assert.equal(widget.get().status, "error");
    assert.match(widget.get().error, /NaN/);
    broken = false;
    change(comm, widget, {}, { lima: { eff: 0.1 } });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done");
  });
});

describe("region curves and orders", () => {
  // 2×2 image, four one-pixel regions; the model's score is the mean red value / 255.
  const division: Division = { width: 2, height: 2, labels: Int32Array.from([0, 1, 2, 3]), count: 4, method: "test" };
  const image: RgbImage = { width: 2, height: 2, data: Float32Array.from([255, 0, 0, 51, 0, 0, 102, 0, 0, 0, 0, 0]) };
  const red = fakeModel((img) => (img.data[0] + img.data[3] + img.data[6] + img.data[9]) / (4 * 255), { width: 2, height: 2 });

  it("orders regions by the map's mean, ties by lower index", () => {
    assert.deepEqual(regionOrderFromMap({ width: 2, height: 2, data: Float32Array.from([0.1, 0.9, 0.5, 0.9]) }, division), [1, 3, 2, 0]);
  });

  it("insertion and deletion by hand: reds 1, 0.2, 0.4, 0 in order 0, 2, 1, 3", async () => {
    const c = await regionCurves(red, image, division, [0, 2, 1, 3], 0);
    const near = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${a} vs ${b}`));
    near(c.insertion.x, [0, 0.25, 0.5, 0.75, 1]);
    near(c.insertion.y, [0, 0.25, 0.35, 0.4, 0.4]);
    near(c.deletion.y, [0.4, 0.15, 0.05, 0, 0]);
    assert.ok(Math.abs(c.insertion.auc - 0.25 * (0.125 + 0.3 + 0.375 + 0.4)) < 1e-6);
  });
});

describe("CachedModel", () => {
  it("runs each distinct image once, serves repeats from the cache, and keys by content", async () => {
    const inner = fakeModel(score, { width: SIZE, height: SIZE, batchSize: 4 });
    const cached = new CachedModel(inner);
    const a = blockImage(1), b = blockImage(2);
    const a2: RgbImage = { ...a, data: a.data.slice() };
    const out = await cached.run([a, b, a2, a]);
    assert.equal(inner.forwardPasses, 2, "a, b: two real runs");
    assert.equal(cached.hits, 2);
    assert.deepEqual(out.map((o) => o.probs[0]), [a, b, a, a].map((img) => Math.fround(score(img))));
    await cached.run([b]);
    assert.equal(inner.forwardPasses, 2);
    const nudged: RgbImage = { ...a, data: a.data.slice() };
    nudged.data[777] += 1;
    assert.notEqual(imageKey(nudged), imageKey(a), "one channel of one pixel changes the key");
    assert.equal(imageKey(a2), imageKey(a));
    await cached.run([nudged]);
    assert.equal(inner.forwardPasses, 3);
  });
});

describe("explore() with files", () => {
  after(() => setJupyterHost(undefined));

  it("loads a folder's photos for the model, names them by file, and reads true classes from ImageNet-style names", async () => {
    const folder = tempDir("lima-explore-photos-");
    for (const f of ["n01531178_goldfinch.JPEG", "n01440764_tench.JPEG"]) copyFileSync(path.join(IMAGENET, f), path.join(folder, f));
    writeFileSync(path.join(folder, "notes.txt"), "not a photo");
    const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [MODELS] });
    try {
      const photos = await loadPhotos(model, folder);
      assert.deepEqual(photos.map((p) => p.title), ["n01440764_tench.JPEG", "n01531178_goldfinch.JPEG"], "image files only, sorted");
      assert.deepEqual(photos.map((p) => [p.image.width, p.image.height]), [[224, 224], [224, 224]]);
      setJupyterHost(new FakeHost());
      const widget = await explore(model, folder, { display: false });
      widget.stop();
      await widget.whenIdle();
      assert.deepEqual(widget.get().photos.map((p) => p.truth), ["tench", "goldfinch"]);
      widget.close();
    } finally {
      await model.dispose();
    }
  });
});

describe("explorer page host", () => {
  after(() => setJupyterHost(undefined));

  it("answers a malformed page request on the comm with an error naming each problem", async () => {
    const host = new FakeHost();
    setJupyterHost(host);
    serveExplorerPage();
    const handler = host.targets.get(PAGE_TARGET)!;
    assert.ok(handler, `the page's target ${PAGE_TARGET} is registered`);
    const comm = new FakeComm("page-1", PAGE_TARGET);
    handler(comm, { request: { model: "", images: [], device: "tpu", code: "process.exit()" } }, []);
    await until(() => comm.sent.length > 0);
    const reply = comm.sent.at(-1)!.data as { error: string };
    for (const part of ['unknown key "code"', "model \"\" must be", "images [] must be", 'device "tpu" is not allowed: use one of cpu, cuda']) assert.ok(reply.error.includes(part), `${reply.error} names ${part}`);
  });
});

describe("explorer with the photos' own regions (explore --regions-from)", () => {
  after(() => setJupyterHost(undefined));

  /** A 3×3 label image whose ids are not in raster order (ids are kept as given). */
  async function labelImage(file: string): Promise<void> {
    const { default: sharp } = await import("sharp");
    await sharp(Buffer.from([5, 0, 7, 2, 8, 1, 3, 6, 4]), { raw: { width: 3, height: 3, channels: 1 } }).png().toFile(file);
  }

  it("the page's request names a label folder: the explorer divides each photo by its label image, with the division control fixed to it", async () => {
    const folder = tempDir("lima-explore-regions-");
    await labelImage(path.join(folder, "n01531178_goldfinch.png"));
    writeFileSync(path.join(folder, "notes.txt"), "not a label image");
    const host = new FakeHost();
    setJupyterHost(host);
    serveExplorerPage();
    const page = new FakeComm("page-2", PAGE_TARGET);
    const request = { model: path.join(MODELS, "squeezenet1.1-fp32.onnx"), images: [path.join(IMAGENET, "n01531178_goldfinch.JPEG")], regionsFrom: folder, settings: { params: { lima: { np: 2 } } } };
    host.targets.get(PAGE_TARGET)!(page, { request }, []);
    await until(() => page.sent.length > 0, 60_000);
    assert.ok("model_id" in page.sent[0].data, JSON.stringify(page.sent[0].data));
    const widget = host.opened[0];
    const state = widget.data.state as Record<string, unknown>;
    assert.deepEqual((state.division_params as { name: string; choices?: string[] }[]).map((p) => [p.name, p.choices]), [["division", ["labels"]]], "no strategy or |V| to set");
    assert.deepEqual((state.settings as { division: unknown }).division, { division: "labels" });
    await until(() => widget.comm.updates().some((u) => u.status === "done" || u.status === "error"), 120_000);
    const ended = widget.comm.updates().find((u) => u.status === "done" || u.status === "error")!;
    assert.equal(ended.status, "done", String(widget.comm.updates().map((u) => u.error).filter(Boolean)));
    widget.comm.deliver({ method: "request_state" });
    const full = widget.comm.sent.at(-1)!;
    assert.equal((full.data.state as { regions: number }).regions, 9, "|V| of the label image");
    const bytes = full.buffers[BINARY_KEYS.indexOf("labels")];
    const got = Array.from({ length: bytes.length / 2 }, (_, i) => bytes[2 * i] | (bytes[2 * i + 1] << 8));
    const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [MODELS] });
    try {
      const expected = await loadRegionLabels(path.join(folder, "n01531178_goldfinch.png"), model.card);
      assert.deepEqual(got, Array.from(expected.labels), "the explorer's regions are the label image's, as loadRegionLabels reads it");
      assert.equal(got[0], 5, "ids kept as given: the top-left block is region 5");
      assert.equal(got.at(-1), 4, "the bottom-right block is region 4");
    } finally {
      await model.dispose();
      widget.comm.closeFromFrontEnd();
      page.closeFromFrontEnd();
    }
  });

  it("a photo without its label image fails the request, naming the photo; regions for some photos only are refused", async () => {
    const folder = tempDir("lima-explore-regions-");
    const host = new FakeHost();
    setJupyterHost(host);
    serveExplorerPage();
    const page = new FakeComm("page-3", PAGE_TARGET);
    host.targets.get(PAGE_TARGET)!(page, { request: { model: path.join(MODELS, "squeezenet1.1-fp32.onnx"), images: [path.join(IMAGENET, "n01531178_goldfinch.JPEG")], regionsFrom: folder } }, []);
    await until(() => page.sent.length > 0, 60_000);
    assert.match(String(page.sent[0].data.error), /has no label image for n01531178_goldfinch\.JPEG \(expected n01531178_goldfinch\.png/);
    const regions: Division = { width: SIZE, height: SIZE, labels: new Int32Array(SIZE * SIZE).map((_, p) => (p % SIZE < SIZE / 2 ? 0 : 1)), count: 2, method: "labels" };
    assert.throws(() => divisionParamsFor([{ image: blockImage(1), title: "a", regions }, { image: blockImage(2), title: "b" }]), /1 of 2 photos carry their regions: give regions for every photo or for none/);
    assert.throws(() => divisionParamsFor([{ image: blockImage(1), title: "a", regions: { ...regions, width: 16 } }]), /the regions of photo a are 16×32; the photo is 32×32/);
  });
});

describe("LatestWins", () => {
  it("collapses requests made while a run unwinds and reports outcomes", async () => {
    const outcomes: string[] = [];
    let calls = 0;
    const runner = new LatestWins(
      async (signal) => {
        calls++;
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 5));
          signal.throwIfAborted();
        }
      },
      (o) => outcomes.push(o.kind),
    );
    runner.request();
    runner.request();
    await new Promise((r) => setTimeout(r, 8));
    runner.request();
    runner.request();
    await runner.idle();
    assert.equal(calls, 2);
    assert.deepEqual(outcomes, ["superseded", "done"]);
    runner.request();
    await new Promise((r) => setTimeout(r, 8));
    runner.stop();
    await runner.idle();
    assert.deepEqual(outcomes.slice(2), ["stopped"]);
  });
});

before(() => setJupyterHost(undefined));
