import { type ChildProcess, spawn } from "node:child_process";
import { tempDir } from "./onnx-graphs";
import { freePort } from "../../kernel/explore-server";

/** A throw-away redis-server on a free loopback port. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}


/**
 * Starts Debian's redis-server (scripts/install-test-deps.sh installs it) bound to 127.0.0.1 on a
 * free port, with no persistence and a temporary directory; resolves once it accepts connections.
 */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = tempDir("redis-");
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port} in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not be started (${error.message}); install it with scripts/install-test-deps.sh`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
