import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setJupyterHost } from "../../src/jupyter/host";
import type { RgbImage } from "../../src/types";
import { createRandom } from "../../src/util/random";
import { explore, type ExplorerWidget } from "../../src/widgets/explorer";
import { BINARY_KEYS, EXPLORER_MODEL, WIDGET_MODULE } from "../../src/widgets/protocol";
import { LatestWins } from "../../src/widgets/scheduler";
import { WIDGET_VIEW_MIME } from "../../src/widgets/widget";
import { FakeHost } from "../support/fake-host";
import { fakeModel } from "../support/fake-model";

const SIZE = 32;

/** A 32×32 image of random 4×4 blocks (seeded). */
function blockImage(): RgbImage {
  const random = createRandom(7);
  const data = new Float32Array(SIZE * SIZE * 3);
  const colours = Array.from({ length: 64 }, () => [random.next() * 255, random.next() * 255, random.next() * 255]);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) data.set(colours[(y >> 2) * 8 + (x >> 2)], (y * SIZE + x) * 3);
  return { width: SIZE, height: SIZE, data };
}

/** Class 0's score: a logistic of a weighted sum of the pixels' red and green (position-dependent). */
function score(image: RgbImage): number {
  let s = 0;
  for (let p = 0; p < SIZE * SIZE; p++) {
    const w = ((p % SIZE) / SIZE) * 2 - 0.5 + ((p / SIZE) | 0) / SIZE;
    s += (w * image.data[p * 3] - 0.3 * image.data[p * 3 + 1]) / 255;
  }
  return 1 / (1 + Math.exp(-s / 40));
}

const small = { regions: 16, division: "grid", np: 2 } as const;

/** The fake model, each batch taking `ms` (as a real model would take time). */
function slowModel(ms: number, fail?: (batch: number) => boolean) {
  const model = fakeModel(score, { width: SIZE, height: SIZE, batchSize: 8 });
  const run = model.run.bind(model);
  let batches = 0;
  model.run = async (images, control) => {
    await new Promise((r) => setTimeout(r, ms));
    if (fail?.(++batches)) throw new Error("model output 0 is NaN for class 0");
    return run(images, control);
  };
  return model;
}

function setup(settings: Record<string, unknown> = small, options: { cacheBytes?: number; ms?: number; fail?: (batch: number) => boolean } = {}) {
  const host = new FakeHost();
  setJupyterHost(host);
  const model = slowModel(options.ms ?? 0, options.fail);
  const cacheBytes = options.cacheBytes;
  const widget = explore(model, blockImage(), { title: "<b>blocks</b>", settings, cacheBytes });
  const comm = host.opened[0].comm;
  return { host, model, widget, comm };
}

/** Plays the front-end: a settings change as the widget manager sends it after a slider release. */
function slide(comm: ReturnType<typeof setup>["comm"], widget: ExplorerWidget, patch: Record<string, unknown>): void {
  comm.deliver({ method: "update", state: { settings: { ...widget.settings, ...patch } }, buffer_paths: [] });
}

describe("explorer widget: protocol", () => {
  after(() => setJupyterHost(undefined));

  it("opens a jupyter.widget comm with the state, binaries as buffers, and displays the view", async () => {
    const { host, widget } = setup();
    const open = host.opened[0];
    assert.equal(open.comm.targetName, "jupyter.widget");
    assert.deepEqual(open.metadata, { version: "2.1.0" });
    const state = open.data.state as Record<string, unknown>;
    assert.equal(state._model_name, EXPLORER_MODEL);
    assert.equal(state._model_module, WIDGET_MODULE);
    assert.equal(state.title, "<b>blocks</b>", "text goes as it is (the view shows it as text)");
    for (const key of BINARY_KEYS) assert.ok(!(key in state), `${key} is not in the JSON state`);
    assert.deepEqual(open.data.buffer_paths, [["image_png"], ["map_png"], ["labels"]]);
    assert.deepEqual([...open.buffers[0].subarray(0, 4)], [137, 80, 78, 71], "image_png is PNG bytes");
    assert.equal(host.displays.length, 1);
    assert.deepEqual(host.displays[0].bundle[WIDGET_VIEW_MIME], { model_id: open.comm.commId, version_major: 2, version_minor: 1 });
    assert.ok(host.targets.has("jupyter.widget.control"), "the control comm target is answered (closed at once)");
    await widget.whenIdle();
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
    assert.equal(full.buffers.length, 3, "image, map and labels come back as buffers");
    assert.ok(full.buffers[1].length > 8 && full.buffers[2].length === SIZE * SIZE * 2, "map PNG and Uint16 labels are set after a run");
    comm.deliver({ method: "update", state: { opacity: 0.8 }, buffer_paths: [] });
    assert.deepEqual(comm.updates("echo_update").at(-1), { opacity: 0.8 });
    assert.equal(widget.get().opacity, 0.8);
    assert.equal(widget.runsStarted, 1, "opacity does not re-run the search");
  });

  it("rejects bad settings with an error naming the value and keeps working", async () => {
    const { comm, widget } = setup();
    await widget.whenIdle();
    slide(comm, widget, { np: 0, lambda_cons: -1 });
    assert.match(widget.get().error, /np = 0 .*integer ≥ 1/);
    assert.match(widget.get().error, /lambda_cons = -1/);
    assert.equal(widget.settings.np, 2, "the settings in force are kept");
    assert.equal(widget.runsStarted, 1);
    slide(comm, widget, { np: 40 }); // valid shape, but n_p > |V| = 16: the engine says so
    await widget.whenIdle();
    assert.equal(widget.get().status, "error");
    assert.match(widget.get().error, /n_p 40 is larger than \|V\| = 16/);
    slide(comm, widget, { np: 3 });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done");
    assert.equal(widget.get().error, "");
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
    slide(comm, widget, { lambda_cons: 1, lambda_colla: 20 });
    await widget.whenIdle();
    const lambdaRun = widget.history[1];
    assert.equal(lambdaRun.outcome, "done");
    const hitRate = lambdaRun.cacheHits / (lambdaRun.cacheHits + lambdaRun.forwardPasses);
    assert.ok(hitRate > 0.5, `λ change: ${lambdaRun.forwardPasses} new images, ${lambdaRun.cacheHits} cached (${hitRate.toFixed(2)})`);
    slide(comm, widget, { regions: 9 });
    await widget.whenIdle();
    assert.equal(widget.get().metrics?.regions, 9);
    const passes = model.forwardPasses;
    slide(comm, widget, { regions: 16 });
    await widget.whenIdle();
    assert.equal(model.forwardPasses, passes, "back at |V| = 16 with the same λ: every output from the cache");
    assert.equal(widget.history.at(-1)!.forwardPasses, 0);
  });

  it("streams the growing insertion prefix while a run goes", async () => {
    const { comm, widget } = setup();
    await widget.whenIdle();
    const partials = comm.updates().filter((s) => s.partial).map((s) => (s.partial as { x: number[] }).x.length);
    assert.ok(partials.length >= 3, `${partials.length} partial updates`);
    for (let i = 1; i < partials.length; i++) assert.ok(partials[i] > partials[i - 1], "each partial curve is longer than the last");
    const progress = comm.updates().filter((s) => s.progress).map((s) => s.progress as { step: number; total_steps: number });
    assert.equal(progress.at(-1)!.step, progress.at(-1)!.total_steps);
    const done = comm.updates().findIndex((s) => s.status === "done");
    assert.ok(done > comm.updates().findIndex((s) => s.partial), "partials come before the result");
  });

  it("latest wins: a burst of 20 slider events starts at most 2 searches and ends on the last", async () => {
    const { comm, widget } = setup(small, { ms: 2 });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(widget.get().status, "running", "the first run is going");
    for (let i = 0; i < 20; i++) slide(comm, widget, { lambda_cons: i });
    await widget.whenIdle();
    assert.ok(widget.runsStarted <= 2, `${widget.runsStarted} searches started`);
    assert.equal(widget.get().status, "done");
    assert.equal(widget.history.at(-1)!.settings.lambda_cons, 19);
    assert.equal(widget.history.filter((h) => h.outcome === "done").length, 1);
  });

  it("the stop button stops the run: no model call after it", async () => {
    const { comm, widget, model } = setup({ ...small, search: "greedy" }, { ms: 2 });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(widget.get().status, "running");
    comm.deliver({ method: "custom", content: { type: "stop" } });
    await widget.whenIdle();
    assert.equal(widget.get().status, "stopped");
    const passes = model.forwardPasses;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(model.forwardPasses, passes);
    assert.ok(passes < 16 * 17, `stopped after ${passes} of ${16 * 17} images`);
    slide(comm, widget, { search: "bidirectional" });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done", "a later change runs again");
  });

  it("cached outputs respect the memory bound (LRU eviction)", async () => {
    const { widget } = setup(small, { cacheBytes: 5_000 });
    await widget.whenIdle();
    const stats = widget.explainer.cacheStats;
    assert.ok(stats.evictions > 0, `${stats.evictions} evictions`);
    assert.ok(stats.bytes <= 5_000, `${stats.bytes} bytes held`);
    assert.equal(widget.get().status, "done");
  });

  it("a model error (a NaN output) becomes an error on the widget, and the next change runs", async () => {
    let broken = true;
    const { comm, widget } = setup(small, { fail: (batch) => broken && batch === 3 });
    await widget.whenIdle();
    assert.equal(widget.get().status, "error");
    assert.match(widget.get().error, /NaN/);
    broken = false;
    slide(comm, widget, { lambda_eff: 0.1 });
    await widget.whenIdle();
    assert.equal(widget.get().status, "done");
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
