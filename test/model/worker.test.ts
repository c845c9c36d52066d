import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { Worker } from "node:worker_threads";
import { compositeRegions, loadImage, loadModel, ModelError } from "../../src";
import type { LoadedModel } from "../../src/model/onnx";
import type { RgbImage } from "../../src/types";
import { linearModel, tempDir, writeTestModel } from "../support/onnx-graphs";
import { MODELS, PHOTOS } from "../support/paths";

const searchPaths = [MODELS];

/** The photo with one quarter (k = 0..3) replaced by grey, and the photo itself (k = 4). */
async function maskedPhotos(model: LoadedModel): Promise<RgbImage[]> {
  const image = await loadImage(path.join(PHOTOS, "pelican.jpeg"), model.card);
  const { width: W, height: H } = image;
  const baseline = { width: W, height: H, data: new Float32Array(W * H * 3).fill(128) };
  const quarters: number[][] = [[], [], [], []];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) quarters[(y < H / 2 ? 0 : 2) + (x < W / 2 ? 0 : 1)].push(y * W + x);
  const pixels = quarters.map((q) => Int32Array.from(q));
  const keep = [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]];
  return [...keep.map((k) => compositeRegions(image, baseline, pixels, k)), image];
}

test("loadModel(squeezenet, {inference: 'worker'}) gives bit-identical probs and features to 'main' on masked photos (batches of 2, one partial)", async () => {
  const main = await loadModel("squeezenet1.1-fp32", { searchPaths, inference: "main", batchSize: 2 });
  const worker = await loadModel("squeezenet1.1-fp32", { searchPaths, inference: "worker", batchSize: 2 });
  try {
    assert.equal(main.inference, "main");
    assert.equal(worker.inference, "worker");
    const images = await maskedPhotos(main);
    const a = await main.run(images);
    const b = await worker.run(images);
    // Twice: the second run reuses the input buffers that came back from the worker.
    const c = await worker.run(images);
    assert.equal(b.length, 5);
    for (let i = 0; i < images.length; i++) {
      assert.deepEqual(b[i].probs, a[i].probs, `image ${i}`);
      assert.deepEqual(b[i].features, a[i].features, `image ${i}`);
      assert.deepEqual(c[i].probs, a[i].probs, `image ${i}, second run`);
    }
    const top = a.map((o) => o.probs.indexOf(Math.max(...o.probs)));
    assert.ok(new Set(a.map((o) => o.probs[top[4]].toFixed(6))).size > 1, "masking changes the output");
    assert.equal(worker.forwardPasses, 10);
    assert.ok(worker.inferenceMs > 0);
  } finally {
    await main.dispose();
    await worker.dispose();
  }
});

test("a NaN from the model is the same ModelError in worker mode as on the main thread", async () => {
  const card = writeTestModel(linearModel({ width: 4, height: 4, weights: [new Float32Array(48), new Float32Array(48)], nan: true }), { name: "nan", width: 4, height: 4, classes: ["a", "b"] });
  const messages: string[] = [];
  for (const inference of ["main", "worker"] as const) {
    const model = await loadModel(card, { inference });
    try {
      const error = await model.run([{ width: 4, height: 4, data: new Float32Array(48) }]).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof ModelError, `${inference}: ${String(error)}`);
      messages.push(error.message);
    } finally {
      await model.dispose();
    }
  }
  assert.match(messages[1], /returned NaN for class 0 of image 0/);
  assert.equal(messages[1], messages[0]);
});

test("a model that cannot be opened is the same ModelError in worker mode (the error crosses the thread with its class)", async () => {
  const dir = tempDir();
  const card = writeTestModel(linearModel({ width: 4, height: 4, weights: [new Float32Array(48), new Float32Array(48)] }), { name: "broken", width: 4, height: 4, classes: ["a", "b"] }, dir);
  writeFileSync(path.join(dir, "broken.onnx"), "not an onnx file");
  const errors: unknown[] = [];
  for (const inference of ["main", "worker"] as const) errors.push(await loadModel(card, { inference }).then(() => undefined, (e: unknown) => e));
  assert.ok(errors[1] instanceof ModelError, String(errors[1]));
  assert.match((errors[1] as Error).message, /cannot open ONNX model .*broken\.onnx/);
  assert.equal((errors[1] as Error).message, (errors[0] as Error).message);
  // A card that does not fit the model: the check runs in the worker and its error comes back too.
  const wrong = writeTestModel(linearModel({ width: 4, height: 4, weights: [new Float32Array(48), new Float32Array(48)] }), { name: "wrong", width: 4, height: 4, classes: ["a", "b"], input: "image" });
  await assert.rejects(loadModel(wrong, { inference: "worker" }), (e: unknown) => e instanceof ModelError && /has no tensor input "image"; its inputs are: x/.test(e.message));
  await assert.rejects(loadModel(card, { inference: "gpu" as "main" }), /inference "gpu" is not allowed: use one of main, worker/);
});

test("worker mode: an aborted signal rejects before the first batch; an abort during a run rejects with its reason and skips the queued batch", async () => {
  const model = await loadModel("squeezenet1.1-fp32", { searchPaths, inference: "worker", batchSize: 2 });
  try {
    const images = await maskedPhotos(model);
    const twelve = [...images, ...images, images[0], images[1]];
    const before = new AbortController();
    before.abort(new Error("stopped before"));
    await assert.rejects(model.run(twelve, { signal: before.signal }), /stopped before/);
    assert.equal(model.forwardPasses, 0, "nothing ran");

    const during = new AbortController();
    setTimeout(() => during.abort(new Error("stopped during")), 0);
    await assert.rejects(model.run(twelve, { signal: during.signal }), /stopped during/);
    // The model is still usable, and its results are right (buffers came back from cancelled batches).
    const after = await model.run(images.slice(0, 3));
    const fresh = await loadModel("squeezenet1.1-fp32", { searchPaths, inference: "main", batchSize: 2 });
    const expected = await fresh.run(images.slice(0, 3));
    await fresh.dispose();
    assert.deepEqual(after.map((o) => o.probs), expected.map((o) => o.probs));
    // Of the 6 batches of the aborted run at most the two in flight ran.
    assert.ok(model.forwardPasses - 3 <= 4, `the aborted run ran ${model.forwardPasses - 3} images; the queued batches should have been skipped`);
  } finally {
    await model.dispose();
  }
});

test("worker mode: the worker dying mid-run is a ModelError for that run and every later one, not a hang", async () => {
  const model = await loadModel("squeezenet1.1-fp32", { searchPaths, inference: "worker", batchSize: 2 });
  const images = await maskedPhotos(model);
  // Reaching into the model to kill its worker, as a native crash would, with a run sent to it.
  // The kill begins before the run is sent: a worker torn down while onnxruntime is inside a batch
  // can abort the whole test process (onnxruntime-node throws a Napi::Error on the dying thread).
  const killed = (model as unknown as { runner: { worker: Worker } }).runner.worker.terminate();
  const running = model.run(images);
  await killed;
  await assert.rejects(running, (e: unknown) => e instanceof ModelError && /inference worker of model squeezenet1\.1-fp32 exited \(code 1\) while the model was in use/.test(e.message));
  await assert.rejects(model.run(images.slice(0, 1)), /inference worker of model squeezenet1\.1-fp32 exited/);
  await model.dispose();
  await assert.rejects(model.run(images.slice(0, 1)), /model squeezenet1\.1-fp32 was disposed/);
});

test("worker mode: dispose() during a run rejects that run (not a hang) and stops the worker", async () => {
  const model = await loadModel("squeezenet1.1-fp32", { searchPaths, inference: "worker", batchSize: 2 });
  const images = await maskedPhotos(model);
  const running = model.run([...images, ...images]);
  const settled = running.then(() => undefined, (e: unknown) => e);
  await model.dispose();
  await assert.rejects(running, (e: unknown) => e instanceof ModelError && /model squeezenet1\.1-fp32 was disposed/.test(e.message));
  assert.ok((await settled) instanceof ModelError);
  assert.equal((model as unknown as { runner: { worker: Worker } }).runner.worker.threadId, -1, "the worker thread has stopped");
});

/** Runs a script in a child node process; resolves with its exit code and output, or "timeout" after `ms`. */
function runChild(script: string, ms: number): Promise<{ code: number | "timeout"; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: "timeout", out });
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

test("worker mode: a process that loads, runs and disposes a model exits by itself; so does one that forgets dispose()", async () => {
  const lib = JSON.stringify(path.resolve(__dirname, "../../src"));
  const body = (dispose: boolean) => `
    const { loadModel } = require(${lib});
    (async () => {
      const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [${JSON.stringify(MODELS)}], inference: "worker", batchSize: 2 });
      const image = { width: 224, height: 224, data: new Float32Array(224 * 224 * 3).fill(100) };
      const out = await model.run([image, image, image]);
      ${dispose ? "await model.dispose();" : ""}
      console.log("ran", out.length, model.inference);
    })().catch((e) => { console.error(e); process.exitCode = 2; });`;
  const [disposed, forgotten] = await Promise.all([runChild(body(true), 60_000), runChild(body(false), 60_000)]);
  assert.deepEqual(disposed, { code: 0, out: "ran 3 worker\n" });
  assert.deepEqual(forgotten, { code: 0, out: "ran 3 worker\n" });
});

/** Counts setImmediate turns of the event loop while `work` runs. */
async function pingsDuring(work: () => Promise<unknown>): Promise<number> {
  let pings = 0;
  let running = true;
  const ping = () => {
    if (!running) return;
    pings++;
    setImmediate(ping);
  };
  setImmediate(ping);
  try {
    await work();
  } finally {
    running = false;
  }
  return pings;
}

test("worker mode keeps the event loop turning while a batch is inside onnxruntime; the main thread does not", async () => {
  const images = Array.from({ length: 16 }, (_, k) => ({ width: 224, height: 224, data: new Float32Array(224 * 224 * 3).fill(10 * k) }));
  const pings: Record<string, number> = {};
  for (const inference of ["worker", "main"] as const) {
    // One batch of 16: on the main thread the loop is blocked for all of it.
    const model = await loadModel("squeezenet1.1-fp32", { searchPaths, inference, batchSize: 16 });
    await model.run(images.slice(0, 1));
    pings[inference] = await pingsDuring(() => model.run(images));
    await model.dispose();
  }
  // The batch takes tens of milliseconds at least; a free loop turns thousands of times meanwhile.
  assert.ok(pings.worker >= 20, `the event loop turned ${pings.worker} times during a worker-mode batch`);
  // On the main thread the loop can turn only around the one blocking call (before and after it).
  assert.ok(pings.main <= 3, `main-thread inference let the loop turn ${pings.main} times`);
});
