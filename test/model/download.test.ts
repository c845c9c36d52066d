import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { loadModel } from "../../src/model/load";
import { MODEL_REGISTRY } from "../../src/model/registry";
import { tempDir } from "../support/onnx-graphs";
import { MODELS } from "../support/paths";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A local HTTP server on 127.0.0.1 standing in for the registry; `close` ends every connection. */
async function server(handler: Handler): Promise<{ base: string; close: () => Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve()))),
  };
}

const NAME = "mobilenetv2-12-int8";
const SIZE = MODEL_REGISTRY[NAME].bytes!;

/** Loads the registry model from `base` into a fresh cache, nothing found locally; returns the error and the time taken. */
async function download(base: string, limits: { connectTimeoutMs?: number; idleTimeoutMs?: number; totalTimeoutMs?: number }, lines: string[] = []) {
  const t0 = Date.now();
  const result = loadModel(NAME, { searchPaths: [], cacheDir: tempDir("download-cache-"), registryUrl: base, onDownload: (m) => lines.push(m), ...limits });
  return { result, elapsed: () => Date.now() - t0 };
}

test("a server that trickles bytes makes the download fail within its total timeout, naming the limit", async () => {
  const srv = await server((_req, res) => {
    res.writeHead(200, { "content-length": String(SIZE) });
    const tick = setInterval(() => res.write(Buffer.alloc(1)), 50);
    res.on("close", () => clearInterval(tick));
  });
  try {
    const { result, elapsed } = await download(srv.base, { idleTimeoutMs: 2_000, totalTimeoutMs: 1_000 });
    await assert.rejects(result, /cannot download model mobilenetv2-12-int8 from http:\/\/127\.0\.0\.1:\d+\/mobilenet\/model\/mobilenetv2-12-int8\.onnx: it took longer than 1000 ms \(totalTimeoutMs\)/);
    assert.ok(elapsed() < 4_000, `failed after ${elapsed()} ms`);
  } finally {
    await srv.close();
  }
});

test("a server that stops sending fails after the idle timeout; one that never answers after the connect timeout", async () => {
  const silent = await server((_req, res) => {
    res.writeHead(200, { "content-length": String(SIZE) });
    res.write(Buffer.alloc(10));
  });
  const mute = await server(() => undefined);
  try {
    const idle = await download(silent.base, { idleTimeoutMs: 300 });
    await assert.rejects(idle.result, /no data arrived for 300 ms \(idleTimeoutMs\) after 10 bytes/);
    assert.ok(idle.elapsed() < 3_000, `failed after ${idle.elapsed()} ms`);
    const connect = await download(mute.base, { connectTimeoutMs: 300 });
    await assert.rejects(connect.result, /the server did not answer within 300 ms \(connectTimeoutMs\)/);
    assert.ok(connect.elapsed() < 3_000, `failed after ${connect.elapsed()} ms`);
  } finally {
    await silent.close();
    await mute.close();
  }
});

test("a response larger than 1.1 × the registry's size is refused, announced or not", async () => {
  const announced = await server((_req, res) => {
    res.writeHead(200, { "content-length": String(SIZE * 2) });
    res.end();
  });
  const streamed = await server((_req, res) => {
    res.writeHead(200); // chunked: no length announced
    const chunk = Buffer.alloc(1 << 20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once("drain", pump);
    };
    pump();
  });
  try {
    const big = await download(announced.base, {});
    await assert.rejects(big.result, new RegExp(`announces ${SIZE * 2} bytes, more than the ${Math.ceil(SIZE * 1.1)}-byte cap \\(1\\.1 × the registry's ${SIZE} bytes\\); refusing it`));
    const endless = await download(streamed.base, {});
    await assert.rejects(endless.result, /the server sent more than the \d+-byte cap/);
  } finally {
    await announced.close();
    await streamed.close();
  }
});

test("a registry download from a mirror reports progress lines and opens the model", async () => {
  const files: Record<string, string> = {
    "/mobilenet/model/mobilenetv2-12-int8.onnx": path.join(MODELS, "mobilenetv2-12-int8.onnx"),
    "/synset.txt": path.join(MODELS, "imagenet-synset.txt"),
  };
  const srv = await server((req, res) => {
    const file = files[req.url ?? ""];
    if (!file) return void res.writeHead(404).end();
    const bytes = readFileSync(file);
    res.writeHead(200, { "content-length": String(bytes.length) });
    res.end(bytes);
  });
  try {
    const lines: string[] = [];
    const { result } = await download(srv.base, {}, lines);
    const model = await result;
    assert.equal(model.numClasses, 1000);
    await model.dispose();
    assert.match(lines[0], /^downloading mobilenetv2-12-int8 \(3\.7 MB\) into /);
    assert.ok(lines.includes("downloading model mobilenetv2-12-int8: 100% (3.7 MB of 3.7 MB)"), lines.join("\n"));
    assert.ok(lines.some((l) => /^downloading model mobilenetv2-12-int8: [1-9]\d% \(/.test(l)), "intermediate progress");
  } finally {
    await srv.close();
  }
});
