import assert from "node:assert/strict";
import { test } from "node:test";
import { StreamBuffer, type StreamName } from "../../kernel/streams";
import type { Message } from "../../kernel/wire";

const parent = (id: string) => ({ header: { msg_id: id } }) as unknown as Message;

function recorder(): { sent: [StreamName, string, string | undefined][]; buffer: StreamBuffer } {
  const sent: [StreamName, string, string | undefined][] = [];
  const buffer = new StreamBuffer((name, text, p) => sent.push([name, text, p?.header.msg_id]), 10);
  return { sent, buffer };
}

test("StreamBuffer joins writes of one stream and parent into one message", async () => {
  const { sent, buffer } = recorder();
  const p = parent("a");
  for (let i = 0; i < 100; i++) buffer.write("stdout", `${i}\n`, p);
  assert.equal(sent.length, 0, "nothing before the delay");
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(sent.length, 1);
  assert.equal(sent[0][1], Array.from({ length: 100 }, (_, i) => `${i}\n`).join(""));
});

test("StreamBuffer keeps order: another stream or parent, or flush(), sends what waits first", () => {
  const { sent, buffer } = recorder();
  const a = parent("a");
  buffer.write("stdout", "1", a);
  buffer.write("stdout", "2", a);
  buffer.write("stderr", "3", a);
  buffer.write("stderr", "4", parent("b"));
  buffer.flush();
  buffer.flush();
  assert.deepEqual(sent, [["stdout", "12", "a"], ["stderr", "3", "a"], ["stderr", "4", "b"]]);
});
