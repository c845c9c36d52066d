import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KernelClient } from "../support/kernel-client";

let k: KernelClient;
before(async () => (k = await KernelClient.start()));
after(async () => k.close());

const types = (outputs: { header: { msg_type: string } }[]) => outputs.map((m) => m.header.msg_type);

test("kernel_info_reply: status, TypeScript language_info, protocol 5.3", async () => {
  const id = await k.send("shell", "kernel_info_request", {});
  const r = await k.reply(id);
  assert.equal(r.header.msg_type, "kernel_info_reply");
  assert.equal(r.content.status, "ok");
  assert.equal(r.content.protocol_version, "5.3");
  assert.deepEqual((r.content.language_info as { name: string; file_extension: string }).file_extension, ".ts");
});

test("execute: execute_input, stream, execute_result with a mime bundle, counts", async () => {
  const { reply, outputs } = await k.execute('console.log("hi"); const answer: number = 6 * 7; answer');
  assert.equal(reply.content.status, "ok");
  assert.deepEqual(types(outputs), ["execute_input", "stream", "execute_result"]);
  assert.equal(outputs[1].content.text, "hi\n");
  assert.deepEqual((outputs[2].content.data as Record<string, string>)["text/plain"], "42");
  assert.equal(outputs[2].content.execution_count, reply.content.execution_count);
});

test("a cell that throws gives error with ename, evalue, traceback; the next cell works", async () => {
  const bad = await k.execute('throw new RangeError("n_p 60 is larger than |V|")');
  assert.equal(bad.reply.content.status, "error");
  assert.equal(bad.reply.content.ename, "RangeError");
  const error = bad.outputs.find((m) => m.header.msg_type === "error")!;
  assert.equal(error.content.evalue, "n_p 60 is larger than |V|");
  assert.ok(Array.isArray(error.content.traceback) && (error.content.traceback as string[]).length > 0);
  const ts = await k.execute("const n: number = 'text';");
  assert.equal(ts.reply.content.status, "error");
  assert.equal(ts.reply.content.ename, "TSError");
  assert.match(String(ts.reply.content.evalue), /not assignable to type 'number'/);
  const good = await k.execute("1 + 1");
  assert.equal(good.reply.content.status, "ok");
});

test("rich display: Symbol.for('Jupyter.display') values, display ids and updates, after an await", async () => {
  const { outputs, id } = await k.execute(`
    import { jupyterHost } from "lima-xai";
    const shown = { [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>rich</b>" }; } };
    await new Promise((r) => setTimeout(r, 20));
    jupyterHost()!.display({ "text/plain": "first" }, { displayId: "d1" });
    await new Promise((r) => setTimeout(r, 20));
    jupyterHost()!.display({ "text/plain": "second" }, { displayId: "d1", update: true });
    shown`);
  assert.deepEqual(types(outputs), ["execute_input", "display_data", "update_display_data", "execute_result"]);
  assert.ok(outputs.every((m) => m.parent_header.msg_id === id), "parent header kept across awaits");
  assert.equal((outputs[1].content.transient as { display_id: string }).display_id, "d1");
  assert.equal((outputs[3].content.data as Record<string, string>)["text/html"], "<b>rich</b>");
});

test("complete, inspect, is_complete, history", async () => {
  const c = await k.reply(await k.send("shell", "complete_request", { code: "Math.ab", cursor_pos: 7 }));
  assert.deepEqual(c.content.matches, ["abs"]);
  assert.equal(c.content.cursor_start, 5);
  const i = await k.reply(await k.send("shell", "inspect_request", { code: "Math.max", cursor_pos: 6, detail_level: 0 }));
  assert.equal(i.content.found, true);
  assert.match((i.content.data as Record<string, string>)["text/plain"], /max\(/);
  const done = await k.reply(await k.send("shell", "is_complete_request", { code: "let a = 1;" }));
  assert.equal(done.content.status, "complete");
  const open = await k.reply(await k.send("shell", "is_complete_request", { code: "function f() {" }));
  assert.equal(open.content.status, "incomplete");
  const h = await k.reply(await k.send("shell", "history_request", { hist_access_type: "tail", n: 10 }));
  assert.deepEqual(h.content.history, []);
});

test("comms: kernel-opened comm, messages both ways with buffers, comm_info filtered by target, close", async () => {
  const opened = await k.execute(`
    import { jupyterHost as host } from "lima-xai";
    const received: unknown[] = [];
    const comm = host()!.comms.open("test.target", { hello: 1 }, {}, [new Uint8Array([1, 2, 3])]);
    comm.onMsg((data, buffers) => { received.push(data); comm.send({ echo: data, bytes: buffers.map((b) => b.byteLength) }, {}, [new Uint8Array([9])]); });
    comm.commId`);
  const commId = (opened.outputs.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"].replace(/'/g, "");
  const openMsg = opened.outputs.find((m) => m.header.msg_type === "comm_open")!;
  assert.equal(openMsg.content.target_name, "test.target");
  assert.equal(openMsg.buffers.length, 1);
  const info = await k.reply(await k.send("shell", "comm_info_request", { target_name: "test.target" }));
  assert.deepEqual(info.content.comms, { [commId]: { target_name: "test.target" } });
  const none = await k.reply(await k.send("shell", "comm_info_request", { target_name: "other" }));
  assert.deepEqual(none.content.comms, {});
  const msgId = await k.send("shell", "comm_msg", { comm_id: commId, data: { ping: true } }, { buffers: [new Uint8Array([5, 6])] });
  const echoed = (await k.outputs(msgId)).find((m) => m.header.msg_type === "comm_msg")!;
  assert.deepEqual(echoed.content.data, { echo: { ping: true }, bytes: [2] });
  assert.equal(echoed.parent_header.msg_id, msgId, "reply carries the comm_msg as parent");
  assert.equal(new Uint8Array(echoed.buffers[0])[0], 9);
  await k.outputs(await k.send("shell", "comm_close", { comm_id: commId, data: {} }));
  const after = await k.reply(await k.send("shell", "comm_info_request", {}));
  assert.ok(!(commId in (after.content.comms as object)));
});

test("comm_open for an unknown target is answered by comm_close", async () => {
  const id = await k.send("shell", "comm_open", { comm_id: "abc123", target_name: "no.such.target", data: {} });
  const outs = await k.outputs(id);
  assert.deepEqual(outs.map((m) => [m.header.msg_type, m.content.comm_id]), [["comm_close", "abc123"]]);
});

test("survival: wrong signature dropped, unknown comm ignored, then a cell works", async () => {
  const badId = await k.send("shell", "execute_request", { code: "globalThis.hacked = true", silent: false }, { badSignature: true });
  const unknown = await k.send("shell", "comm_msg", { comm_id: "does-not-exist", data: { x: 1 } });
  await k.outputs(unknown);
  const { reply, outputs } = await k.execute("typeof (globalThis as any).hacked");
  assert.equal(reply.content.status, "ok");
  assert.equal((outputs.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "undefined");
  assert.ok(!k.replies.some((m) => m.parent_header.msg_id === badId), "no reply to the forged message");
  assert.match(k.stderr, /dropped a shell message: invalid signature/);
});

test("interrupt_request abandons a cell that awaits forever and aborts its signal; the next cell works", async () => {
  const id = await k.send("shell", "execute_request", {
    code: `import { jupyterHost as h } from "lima-xai"; (globalThis as any).cellSignal = (h() as any).cellSignal; await new Promise(() => {});`,
    silent: false, stop_on_error: true,
  });
  await k.until(() => k.iopub.some((m) => m.parent_header.msg_id === id && m.header.msg_type === "execute_input"));
  await new Promise((r) => setTimeout(r, 100));
  const ir = await k.reply(await k.send("control", "interrupt_request", {}));
  assert.equal(ir.content.status, "ok");
  const reply = await k.reply(id);
  assert.equal(reply.content.status, "error");
  assert.equal(reply.content.ename, "Interrupt");
  const { outputs } = await k.execute("(globalThis as any).cellSignal.aborted");
  assert.equal((outputs.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "true");
});

test("SIGINT interrupts a pending await too", async () => {
  const id = await k.send("shell", "execute_request", { code: "await new Promise(() => {});", silent: false });
  await k.until(() => k.iopub.some((m) => m.parent_header.msg_id === id && m.header.msg_type === "execute_input"));
  await new Promise((r) => setTimeout(r, 100));
  k.signal("SIGINT");
  const reply = await k.reply(id);
  assert.equal(reply.content.ename, "Interrupt");
  assert.equal((await k.execute("2 + 2")).reply.content.status, "ok");
  assert.ok(k.alive);
});
