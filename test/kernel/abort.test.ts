import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
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
 * receive loop, as a scripted client does); returns both replies. With `interruptAfter`, the
 * failing cell writes that file just before it loops, and one SIGINT is sent once the file exists.
 *
 * Why one signal and not a stream of them: Node's vm (breakOnSigint, which tslab uses) removes every
 * SIGINT listener for the run and adds them back afterwards, and between its watchdog's end and
 * that re-adding SIGINT has its default action — a signal landing there kills the kernel (seen as
 * "kernel dead: signal SIGINT" when this test repeated SIGINT every 200 ms until the reply came).
 */
/** Second signals sent because a first one was lost (reported by the test). */
let resent = 0;

async function nextCellAfter(failing: string, interruptAfter?: string): Promise<{ failed: Message; next: Message }> {
  const id = await k.send("shell", "execute_request", request(failing));
  let nextId: Promise<string> | undefined;
  const listener = (msg: Message) => {
    if (msg.parent_header.msg_id !== id) return;
    nextId = k.send("shell", "execute_request", request("1 + 1"));
    k.replyListeners.delete(listener);
  };
  k.replyListeners.add(listener);
  let repeat: NodeJS.Timeout | undefined;
  if (interruptAfter) {
    // The loop is running once the file exists: one signal breaks it. A second one, 5 s later,
    // only if the first was lost (it never was in 190 tries).
    await k.until(() => existsSync(interruptAfter));
    k.signal("SIGINT");
    repeat = setInterval(() => (resent++, k.signal("SIGINT")), 5000);
  }
  const failed = await k.reply(id).finally(() => clearInterval(repeat));
  assert.ok(nextId, "the next request went out from the receive loop");
  return { failed, next: await k.reply(await nextId) };
}

test("an execute_request sent the instant an error reply arrives is run, not aborted (10 tries)", async () => {
  for (let i = 0; i < 10; i++) {
    const { failed, next } = await nextCellAfter(`throw new Error("try ${i}")`);
    assert.equal(failed.content.status, "error");
    assert.equal(next.content.status, "ok", `try ${i}: ${JSON.stringify(next.content)}`);
  }
});

test("an execute_request sent the instant an interrupted endless loop replies is run (10 tries)", async (t) => {
  const dir = tempDir("interrupt-");
  for (let i = 0; i < 10; i++) {
    const marker = path.join(dir, `looping-${i}`);
    const { failed, next } = await nextCellAfter(`import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "");\nwhile (true) {}`, marker);
    assert.equal(failed.content.ename, "Interrupt");
    assert.equal(next.content.status, "ok", `try ${i}: ${JSON.stringify(next.content)}`);
  }
  t.diagnostic(`SIGINT sent a second time in ${resent} of 10 tries`);
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
