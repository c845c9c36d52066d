import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Message } from "../../kernel/wire";
import { KernelClient } from "../support/kernel-client";
import { tempDir } from "../support/onnx-graphs";

let k: KernelClient;
before(async () => (k = await KernelClient.start()));
after(async () => k.close());

const request = (code: string) => ({ code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });

/** Waits for the reply to `id` without sleeping: checks again on every turn of the event loop. */
async function replyAtOnce(id: string, timeoutMs = 30_000): Promise<Message> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const reply = k.replies.find((m) => m.parent_header.msg_id === id);
    if (reply) return reply;
    if (Date.now() > end) throw new Error(`no reply to ${id} within ${timeoutMs} ms (kernel ${k.state}): ${k.stderr.slice(-1500)}`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Sends `failing`, then `1 + 1` the instant the error reply arrives (from inside the client's
 * receive loop, as a scripted client does); returns both replies.
 */
async function nextCellAfter(failing: string, interrupt: boolean): Promise<{ failed: Message; next: Message }> {
  const id = await k.send("shell", "execute_request", request(failing));
  let nextId: Promise<string> | undefined;
  const listener = (msg: Message) => {
    if (msg.parent_header.msg_id !== id) return;
    nextId = k.send("shell", "execute_request", request("1 + 1"));
    k.replyListeners.delete(listener);
  };
  k.replyListeners.add(listener);
  let repeat: NodeJS.Timeout | undefined;
  if (interrupt) {
    await k.until(() => k.iopub.some((m) => m.parent_header.msg_id === id && m.header.msg_type === "execute_input"));
    // The loop may still be compiling at the first signal (then the signal is lost): repeat it.
    repeat = setInterval(() => k.signal("SIGINT"), 200);
    k.signal("SIGINT");
  }
  const failed = await k.reply(id).finally(() => clearInterval(repeat));
  assert.ok(nextId, "the next request went out from the receive loop");
  return { failed, next: await k.reply(await nextId) };
}

test("an execute_request sent the instant an error reply arrives is run, not aborted (10 tries)", async () => {
  for (let i = 0; i < 10; i++) {
    const { failed, next } = await nextCellAfter(`throw new Error("try ${i}")`, false);
    assert.equal(failed.content.status, "error");
    assert.equal(next.content.status, "ok", `try ${i}: ${JSON.stringify(next.content)}`);
  }
});

test("an execute_request sent the instant an interrupted endless loop replies is run (10 tries)", async () => {
  for (let i = 0; i < 10; i++) {
    const { failed, next } = await nextCellAfter("while (true) {}", true);
    assert.equal(failed.content.ename, "Interrupt");
    assert.equal(next.content.status, "ok", `try ${i}: ${JSON.stringify(next.content)}`);
  }
});

test("requests queued behind a failing cell before its reply are aborted; the one after runs", async () => {
  // The failing cell blocks the event loop until the two queued requests were sent (a marker
  // file says so), so they wait in the socket itself.
  const marker = path.join(tempDir("abort-"), "sent");
  const failing = await k.send("shell", "execute_request", request(`import { existsSync } from "node:fs";\nwhile (!existsSync(${JSON.stringify(marker)})) {}\nthrow new Error("stop")`));
  const queued = [await k.send("shell", "execute_request", request("2 + 2")), await k.send("shell", "execute_request", request("3 + 3"))];
  await new Promise((r) => setTimeout(r, 200));
  writeFileSync(marker, "");
  const failed = await replyAtOnce(failing);
  assert.equal(failed.content.evalue, "stop", JSON.stringify(failed.content));
  for (const id of queued) assert.equal((await k.reply(id)).content.status, "aborted");
  assert.equal((await k.execute("4 + 4")).reply.content.status, "ok");
  // stop_on_error: false keeps the queue going.
  const tolerant = await k.send("shell", "execute_request", { ...request('throw new Error("go on")'), stop_on_error: false });
  const behind = await k.send("shell", "execute_request", request("5 + 5"));
  assert.equal((await k.reply(tolerant)).content.status, "error");
  assert.equal((await k.reply(behind)).content.status, "ok");
});
