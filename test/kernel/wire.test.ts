import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { decode, DELIMITER, encode, newHeader, Signer, WireError } from "../../kernel/wire";

/** Runs a Python snippet with jupyter_client; frames travel as hex strings in JSON. */
function python(script: string, input = ""): string {
  const r = spawnSync("/usr/bin/python3", ["-c", script], { input, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const frame = (s: string) => Buffer.from(s);

test("Signer.sign is HMAC-SHA256 over header, parent, metadata and content (RFC 4231 case 2)", () => {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  const signer = new Signer("Jefe");
  assert.equal(signer.sign([frame("what do ya want "), frame("for nothing?")]), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  assert.ok(signer.verify("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", [frame("what do ya want for nothing?")]));
  assert.ok(!signer.verify("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3844", [frame("what do ya want for nothing?")]));
  assert.ok(!signer.verify("", [frame("what do ya want for nothing?")]));
});

test("new Signer(key, scheme) refuses schemes other than hmac-sha256", () => {
  assert.throws(() => new Signer("k", "hmac-md5"), (e: unknown) => e instanceof WireError && /hmac-md5 is not supported/.test(e.message));
  assert.doesNotThrow(() => new Signer("", "whatever"), "no key: nothing is signed");
});

test("encode then decode keeps identities, header, content and binary buffers", () => {
  const signer = new Signer("secret");
  const header = newHeader("comm_msg", "session-1");
  const frames = encode(signer, [frame("peer")], header, { msg_id: "p1" }, { comm_id: "c", data: { v: 1 } }, { m: true }, [new Uint8Array([1, 2, 3]), new Float32Array([0.5]).buffer]);
  assert.equal(frames[1].toString(), DELIMITER);
  const msg = decode(frames, signer);
  assert.deepEqual(msg.identities.map(String), ["peer"]);
  assert.equal(msg.header.msg_id, header.msg_id);
  assert.equal(msg.header.version, "5.3");
  assert.equal(msg.parent_header.msg_id, "p1");
  assert.deepEqual(msg.content, { comm_id: "c", data: { v: 1 } });
  assert.deepEqual(msg.metadata, { m: true });
  assert.deepEqual([...new Uint8Array(msg.buffers[0])], [1, 2, 3]);
  assert.equal(new Float32Array(msg.buffers[1])[0], 0.5);
});

test("decode drops tampered messages, wrong keys and malformed frames with a WireError", () => {
  const signer = new Signer("secret");
  const frames = encode(signer, [], newHeader("execute_request", "s"), {}, { code: "1" });
  const tampered = [...frames];
  tampered[5] = frame(JSON.stringify({ code: "process.exit()" }));
  assert.throws(() => decode(tampered, signer), /invalid signature/);
  assert.throws(() => decode(frames, new Signer("other")), /invalid signature/);
  assert.throws(() => decode([frame("no delimiter")], signer), /malformed message/);
  const notJson = [frame(DELIMITER), frame(""), frame("{"), frame("{}"), frame("{}"), frame("{}")];
  assert.throws(() => decode(notJson, new Signer("")), (e: unknown) => e instanceof WireError && /bad header frame/.test(e.message));
});

test("decode reads what jupyter_client's Session signs, and Session accepts what encode signs", () => {
  const fromPython = JSON.parse(python(`
import json
from jupyter_client.session import Session
s = Session(key=b"shared-key", signature_scheme="hmac-sha256")
msg = s.msg("comm_msg", {"comm_id": "c1", "data": {"x": 1}})
frames = s.serialize(msg, ident=[b"client-1"]) + [b"\\x07\\x08"]
print(json.dumps([f.hex() for f in frames]))`)) as string[];
  const msg = decode(fromPython.map((h) => Buffer.from(h, "hex")), new Signer("shared-key"));
  assert.equal(msg.header.msg_type, "comm_msg");
  assert.deepEqual(msg.content, { comm_id: "c1", data: { x: 1 } });
  assert.deepEqual(msg.identities.map(String), ["client-1"]);
  assert.deepEqual([...new Uint8Array(msg.buffers[0])], [7, 8]);

  const ours = encode(new Signer("shared-key"), [frame("kernel")], newHeader("execute_reply", "s"), { msg_id: "req" }, { status: "ok" }, {}, [new Uint8Array([9])]);
  const checked = python(`
import json, sys
from jupyter_client.session import Session
s = Session(key=b"shared-key", signature_scheme="hmac-sha256")
frames = [bytes.fromhex(h) for h in json.load(sys.stdin)]
idents, rest = s.feed_identities(frames)
msg = s.deserialize(rest)
print(json.dumps({"type": msg["header"]["msg_type"], "parent": msg["parent_header"]["msg_id"], "content": msg["content"], "buffers": [bytes(b).hex() for b in msg["buffers"]]}))`, JSON.stringify(ours.map((f) => f.toString("hex"))));
  assert.deepEqual(JSON.parse(checked), { type: "execute_reply", parent: "req", content: { status: "ok" }, buffers: ["09"] });
});
