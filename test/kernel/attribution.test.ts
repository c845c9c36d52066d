import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { KernelClient } from "../support/kernel-client";
import { tempDir } from "../support/onnx-graphs";
import { MODELS, PHOTOS, REPO } from "../support/paths";

// One kernel started outside the repository: `import … from "lima-xai"` must still resolve, with types.
let k: KernelClient;
const elsewhere = tempDir("elsewhere-");
before(async () => (k = await KernelClient.start(elsewhere)));
after(async () => k.close());

const resultText = (outputs: { header: { msg_type: string }; content: Record<string, unknown> }[]) =>
  (outputs.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string> | undefined)?.["text/plain"];

test("a kernel started outside the repository imports lima-xai with its types", async () => {
  assert.ok(!elsewhere.startsWith(`${REPO}${path.sep}`), "the kernel's folder is outside the repository");
  assert.equal(resultText((await k.execute("process.cwd()")).outputs), elsewhere);
  const load = await k.execute(`
    import { Explainer, loadImage, loadModel } from "lima-xai";
    const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [${JSON.stringify(MODELS)}] });
    const image = await loadImage(${JSON.stringify(path.join(PHOTOS, "pelican.jpeg"))}, model.card);
    const classes: number = model.numClasses;
    classes`);
  assert.equal(load.reply.content.status, "ok", JSON.stringify(load.reply.content));
  assert.equal(resultText(load.outputs), "1000");
  const typed = await k.execute("const wrong: string = model.numClasses;");
  assert.equal(typed.reply.content.ename, "TSError", "the library's declarations are checked, not any");
  assert.match(String(typed.reply.content.evalue), /Type 'number' is not assignable to type 'string'/);
});

test("interrupt_request stops a running attribution through the cell's AbortSignal", async () => {
  const id = await k.send("shell", "execute_request", {
    code: `
      const explainer = new Explainer(model, { search: "greedy", division: { method: "grid", regions: 64 } });
      const g = globalThis as any;
      g.steps = 0;
      g.outcome = explainer.explain(image, { onProgress: (p) => { g.steps = p.step; console.log("step", p.step); } }).then(() => "finished", (e: Error) => e.name);
      await g.outcome;`,
    silent: false,
  });
  await k.until(() => k.iopub.some((m) => m.parent_header.msg_id === id && m.header.msg_type === "stream" && /step [1-9]/.test(String(m.content.text))), 60_000);
  const ir = await k.reply(await k.send("control", "interrupt_request", {}));
  assert.equal(ir.content.status, "ok");
  const reply = await k.reply(id);
  assert.equal(reply.content.ename, "Interrupt");
  const outcome = await k.execute("const settled: string = await (globalThis as any).outcome; settled");
  assert.equal(resultText(outcome.outputs), "AbortError", `explain() rejected because its signal was aborted: ${JSON.stringify(outcome.reply.content)} ${JSON.stringify(outcome.outputs.map((m) => m.content))}`);
  const stepsThen = resultText((await k.execute("(globalThis as any).steps")).outputs);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(resultText((await k.execute("(globalThis as any).steps")).outputs), stepsThen, "no search step after the abort");
  assert.ok(Number(stepsThen) < 64, `stopped early, at step ${stepsThen} of 64`);
});

test("the kernel answers kernel_info_request while a cell's model is inside a batch (inference in a worker thread by default)", async () => {
  // 4 batches of 32: the requests sent during them are answered before the cell ends only if the event loop is free.
  const id = await k.send("shell", "execute_request", {
    code: `
      const blank = { width: 224, height: 224, data: new Float32Array(224 * 224 * 3).fill(90) };
      const during = (globalThis as any).during = { pings: 0, done: false };
      const ping = () => { if (!during.done) { during.pings++; setTimeout(ping, 1); } };
      console.log("inference", model.inference);
      ping();
      await model.run(Array.from({ length: 128 }, () => blank));
      during.done = true;`,
    silent: false,
  });
  await k.until(() => k.iopub.some((m) => m.parent_header.msg_id === id && m.header.msg_type === "stream" && /inference worker/.test(String(m.content.text))), 60_000);
  const info = await k.send("shell", "kernel_info_request", {});
  const infoReply = await k.reply(info, 60_000);
  const reply = await k.reply(id, 120_000);
  assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
  assert.equal(infoReply.content.status, "ok");
  assert.ok(k.replies.indexOf(infoReply) < k.replies.indexOf(reply), "kernel_info_reply came before the running cell's execute_reply");
  const pings = Number(resultText((await k.execute("(globalThis as any).during.pings")).outputs));
  // Main-thread inference would let a timer fire only between batches (about 4 times); a free loop fires every millisecond or so.
  assert.ok(pings >= 20, `timers fired ${pings} times during the run`);
});
