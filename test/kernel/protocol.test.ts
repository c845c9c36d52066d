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

test("complete, inspect, is_complete", async () => {
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

const resultText = (outputs: { header: { msg_type: string }; content: Record<string, unknown> }[]) =>
  (outputs.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string> | undefined)?.["text/plain"];

test("SIGINT breaks a synchronous endless loop; the kernel survives", async () => {
  const id = await k.send("shell", "execute_request", { code: "const g = globalThis as any; g.spins = 0; while (true) { g.spins++; }", silent: false });
  await k.until(() => k.iopub.some((m) => m.parent_header.msg_id === id && m.header.msg_type === "execute_input"));
  // The loop may not have started at the first signal (it could still be compiling): repeat.
  const repeat = setInterval(() => k.signal("SIGINT"), 300);
  const reply = await k.reply(id).finally(() => clearInterval(repeat));
  assert.equal(reply.content.ename, "Interrupt");
  assert.equal(resultText((await k.execute("(globalThis as any).spins > 0")).outputs), "true");
});

test("comm_open from the front-end reaches its registered target, with buffers; replies carry it as parent", async () => {
  await k.execute(`
    import { jupyterHost as host3 } from "lima-xai";
    host3()!.comms.registerTarget("echo.target", (comm, data, buffers) => {
      comm.send({ opened: data, sizes: buffers.map((b) => b.byteLength) });
      comm.onMsg((msg) => comm.send({ got: msg }));
      comm.onClose((d) => console.log("closed with", JSON.stringify(d)));
    });`);
  const openId = await k.send("shell", "comm_open", { comm_id: "fe-1", target_name: "echo.target", data: { a: 1 } }, { buffers: [new Uint8Array(4)] });
  const opened = (await k.outputs(openId)).find((m) => m.header.msg_type === "comm_msg")!;
  assert.deepEqual(opened.content, { comm_id: "fe-1", data: { opened: { a: 1 }, sizes: [4] } });
  const info = await k.reply(await k.send("shell", "comm_info_request", { target_name: "echo.target" }));
  assert.deepEqual(info.content.comms, { "fe-1": { target_name: "echo.target" } });
  const msgId = await k.send("shell", "comm_msg", { comm_id: "fe-1", data: { b: 2 } });
  const echoed = (await k.outputs(msgId)).find((m) => m.header.msg_type === "comm_msg")!;
  assert.deepEqual(echoed.content.data, { got: { b: 2 } });
  const closeId = await k.send("shell", "comm_close", { comm_id: "fe-1", data: { bye: true } });
  const closed = await k.outputs(closeId);
  assert.deepEqual(closed.map((m) => [m.header.msg_type, m.content.text]), [["stream", 'closed with {"bye":true}\n']]);
});

test("comm_msg is served while a cell awaits: the cell resolves with the front-end's message", async () => {
  const id = await k.send("shell", "execute_request", {
    code: `
      import { jupyterHost as host4 } from "lima-xai";
      const waiting = host4()!.comms.open("wait.target", {});
      const answer = await new Promise<Record<string, unknown>>((resolve) => waiting.onMsg((data) => resolve(data)));
      answer.value`,
    silent: false,
  });
  await k.until(() => k.iopub.some((m) => m.parent_header.msg_id === id && m.header.msg_type === "comm_open"));
  const commId = k.iopub.find((m) => m.parent_header.msg_id === id && m.header.msg_type === "comm_open")!.content.comm_id;
  const info = await k.reply(await k.send("shell", "kernel_info_request", {}));
  assert.equal(info.content.status, "ok", "other requests are answered while the cell awaits");
  await k.send("shell", "comm_msg", { comm_id: commId, data: { value: "from the front-end" } });
  const reply = await k.reply(id);
  assert.equal(reply.content.status, "ok");
  assert.equal(resultText(await k.outputs(id)), "from the front-end");
});

test("stdout of a loop arrives batched, in order, before the execute_result", async () => {
  const { outputs } = await k.execute('for (let i = 0; i < 300; i++) console.log(i); "done"');
  const streams = outputs.filter((m) => m.header.msg_type === "stream");
  assert.ok(streams.length < 5, `${streams.length} stream messages for 300 lines`);
  assert.equal(streams.map((m) => m.content.text).join(""), Array.from({ length: 300 }, (_, i) => `${i}\n`).join(""));
  assert.equal(types(outputs).at(-1), "execute_result");
});

test("shorthand properties of earlier cells' variables, clear_output and user_expressions", async () => {
  await k.execute("const first = 1; let second = 'two';");
  assert.equal(resultText((await k.execute("({ first, second })")).outputs), "{ first: 1, second: 'two' }");
  const cleared = await k.execute(`import { jupyterHost as host5 } from "lima-xai"; console.log("old"); (host5() as any).clearOutput(true); console.log("new")`);
  assert.deepEqual(cleared.outputs.map((m) => [m.header.msg_type, m.content.text ?? m.content.wait]), [["execute_input", undefined], ["stream", "old\n"], ["clear_output", true], ["stream", "new\n"]]);
  const id = await k.send("shell", "execute_request", { code: "const third = 3;", silent: false, user_expressions: { sum: "first + third", bad: "nope" } });
  const ue = (await k.reply(id)).content.user_expressions as Record<string, { status: string; data?: Record<string, string>; ename?: string }>;
  assert.deepEqual(ue.sum, { status: "ok", data: { "text/plain": "4" }, metadata: {} });
  assert.equal(ue.bad.status, "error");
  assert.equal(ue.bad.ename, "TSError");
});

test("history_request: tail with outputs, range and search over executed cells", async () => {
  await k.execute("'history-a'");
  await k.execute("'history-b'");
  const tail = await k.reply(await k.send("shell", "history_request", { hist_access_type: "tail", n: 2, output: true, raw: true }));
  const entries = tail.content.history as [number, number, [string, string | null]][];
  assert.deepEqual(entries.map((e) => e[2]), [["'history-a'", "history-a"], ["'history-b'", "history-b"]], "[input, text/plain output]");
  const [session, line] = entries[1];
  assert.equal(line, entries[0][1] + 1, "lines are execution counts");
  const range = await k.reply(await k.send("shell", "history_request", { hist_access_type: "range", session, start: line, stop: line + 1, raw: true, output: false }));
  assert.deepEqual(range.content.history, [[session, line, "'history-b'"]]);
  const search = await k.reply(await k.send("shell", "history_request", { hist_access_type: "search", pattern: "'history-?'", raw: true, output: false }));
  assert.deepEqual((search.content.history as [number, number, string][]).map((e) => e[2]), ["'history-a'", "'history-b'"]);
});

test("complete_request counts cursor positions in code points, as the protocol says", async () => {
  const code = 'const face = "😀"; Math.ab';
  const cursor = [...code].length;
  const r = await k.reply(await k.send("shell", "complete_request", { code, cursor_pos: cursor }));
  assert.deepEqual(r.content.matches, ["abs"]);
  assert.equal(r.content.cursor_start, cursor - 2);
  assert.equal(r.content.cursor_end, cursor);
});

test("a cell `expr?` shows expr's type and documentation in the pager instead of running", async () => {
  const { reply, outputs } = await k.execute("Math.max?");
  assert.equal(reply.content.status, "ok");
  const [page] = reply.content.payload as { source: string; data: Record<string, string> }[];
  assert.equal(page.source, "page");
  assert.match(page.data["text/plain"], /max\(\.\.\.values: number\[\]\): number/);
  assert.deepEqual(types(outputs), ["execute_input"]);
  const missing = await k.execute("notDefinedAnywhere?");
  assert.deepEqual(missing.reply.content.payload, []);
  assert.equal(missing.outputs.find((m) => m.header.msg_type === "stream")!.content.text, "no documentation found for notDefinedAnywhere\n");
});

test("top-level `await (expr)` and `for await` run, and diagnostics keep the cell's line numbers", async () => {
  const paren = await k.execute("(globalThis as any).later = Promise.resolve(7); const got: number = await ((globalThis as any).later); got * 6");
  assert.equal(resultText(paren.outputs), "42");
  const loop = await k.execute("async function* twice() { yield 1; yield 2; }\nconst seen: number[] = [];\nfor await (const v of twice()) seen.push(v);\nseen");
  assert.equal(resultText(loop.outputs), "[ 1, 2 ]");
  const bad = await k.execute("await (Promise.resolve(1));\nconst s: string = 5;");
  assert.equal(bad.reply.content.ename, "TSError");
  assert.match(String(bad.reply.content.evalue), /^2:7 - Type 'number' is not assignable to type 'string'/);
});
