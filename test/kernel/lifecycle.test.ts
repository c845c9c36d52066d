import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createServer, type Server } from "node:net";
import { test } from "node:test";
import { tempDir } from "../support/onnx-graphs";
import { connectionPorts } from "../support/kernel-client";
import { REPO } from "../support/paths";
import { freePorts } from "../../kernel/explore-server";


/** Whether `pid` is a live process (zombies count as gone). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!running(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !running(pid);
}

test("kill -9 of the kernel's parent makes the kernel exit", async () => {
  const ports = await connectionPorts();
  const file = path.join(tempDir("kernel-parent-"), "connection.json");
  writeFileSync(file, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", key: randomUUID(), signature_scheme: "hmac-sha256", ...ports }));
  // A parent that starts the kernel, prints its pid and waits forever (as jupyter-server would).
  const script = `const c = require("node:child_process").spawn(process.execPath, [${JSON.stringify(path.join(REPO, "dist/kernel/main.js"))}, ${JSON.stringify(file)}], { stdio: ["ignore", "ignore", "pipe"] });
    c.stderr.on("data", (d) => { if (String(d).includes("listening")) console.log("kernel " + c.pid); });
    setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  parent.stdout.on("data", (d) => (out += d));
  const end = Date.now() + 60_000;
  while (!/kernel \d+/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  const kernelPid = Number(/kernel (\d+)/.exec(out)?.[1]);
  assert.ok(kernelPid > 0 && running(kernelPid), `the kernel started: ${out}`);
  parent.kill("SIGKILL");
  try {
    assert.ok(await gone(kernelPid, 15_000), `kernel ${kernelPid} still runs 15 s after its parent was killed`);
  } finally {
    if (running(kernelPid)) process.kill(kernelPid, "SIGKILL");
  }
});

test("freePorts hands out distinct ports, all bindable at once (a kernel's five sockets)", async () => {
  for (let round = 0; round < 20; round++) {
    const ports = await freePorts(5);
    assert.equal(new Set(ports).size, 5, `round ${round}: ${ports}`);
    const servers = await Promise.all(ports.map((port) => new Promise<Server>((resolve, reject) => {
      const server = createServer().once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve(server));
    })));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
});
