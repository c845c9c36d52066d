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
