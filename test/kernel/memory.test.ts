import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KernelClient } from "../support/kernel-client";

let k: KernelClient;
// A small heap so that running out takes a second, not minutes.
before(async () => (k = await KernelClient.start(undefined, { nodeArgs: ["--max-old-space-size=384"] })));
after(async () => k.close());

const resultText = (outputs: { header: { msg_type: string }; content: Record<string, unknown> }[]) =>
  (outputs.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string> | undefined)?.["text/plain"];

test("a cell that fills the heap in a loop gets a MemoryError reply, and the kernel answers the next cell", async () => {
  const { reply, outputs } = await k.execute("{ const rows: number[][] = []; while (true) rows.push(new Array(100_000).fill(1.5)); }", 120_000);
  assert.equal(reply.content.status, "error");
  assert.equal(reply.content.ename, "MemoryError", JSON.stringify(reply.content));
  assert.match(String(reply.content.evalue), /out of memory: .*heap reached \d+ MiB of its \d+ MiB limit/);
  assert.ok(outputs.some((m) => m.header.msg_type === "error" && m.content.ename === "MemoryError"), "the error is published on iopub too");
  assert.ok(k.alive, "the kernel process survived");
  assert.equal(resultText((await k.execute("6 * 7")).outputs), "42");
});

test("rows the session keeps after a MemoryError do not stop small cells, and freeing them gives the memory back", async () => {
  // A failed cell declares nothing for later cells: keep the rows on globalThis.
  const { reply } = await k.execute("const g = globalThis as any; g.kept = [];\nwhile (true) g.kept.push(new Array(100_000).fill(2.5));", 120_000);
  assert.equal(reply.content.ename, "MemoryError", JSON.stringify(reply.content));
  assert.match(String(reply.content.evalue), /still in use/);
  assert.ok(k.alive, "the kernel process survived");
  assert.equal(resultText((await k.execute("(globalThis as any).kept.length > 0")).outputs), "true");
  assert.equal((await k.execute("(globalThis as any).kept = undefined")).reply.content.status, "ok");
  const { reply: again } = await k.execute("{ const rows: number[][] = []; for (let i = 0; i < 100; i++) rows.push(new Array(100_000).fill(1)); rows.length }");
  assert.equal(again.content.status, "ok", JSON.stringify(again.content));
});
