import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import sharp from "sharp";
import { createRandom } from "../../src/util/random";
import { linearModel, tempDir, writeTestModel } from "./onnx-graphs";
import { REPO } from "./paths";
import { startRedis } from "./redis";

export const BIN = path.join(REPO, "bin/lima-xai.js");

/** A three-class linear model on side×side inputs with seeded weights, and a folder of seeded noise photos img0.png…. */
export async function queueFixture(images: number, side = 32): Promise<{ card: string; folder: string }> {
  const rng = createRandom(11);
  const random = () => rng.next();
  const weights = [0, 1, 2].map(() => Float32Array.from({ length: 3 * side * side }, () => (random() - 0.5) / 100));
  const card = writeTestModel(linearModel({ width: side, height: side, weights }), { name: "lin3q", width: side, height: side, classes: ["a", "b", "c"] });
  const folder = tempDir("queue-images-");
  for (let i = 0; i < images; i++) {
    const pixels = Buffer.from(Array.from({ length: side * side * 3 }, () => Math.floor(random() * 256)));
    await sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).png().toFile(path.join(folder, `img${i}.png`));
  }
  return { card, folder };
}

/** A child `lima-xai` process whose stderr lines are collected as they come. */
export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  stdout(): string;
  /** Resolves with the first stderr line matching `pattern` (rejects after `timeoutMs` or when the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Starts `node bin/lima-xai.js <args>`. */
export function lima(args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "1", ...env } });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let out = "";
  let rest = "";
  child.stdout!.on("data", (chunk) => (out += String(chunk)));
  child.stderr!.on("data", (chunk) => {
    rest += String(chunk);
    const parts = rest.split("\n");
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  return {
    process: child,
    lines,
    stdout: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; stderr so far:\n${lines.join("\n")}`)), timeoutMs);
        const w = { pattern, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
        waiters.push(w);
        void exited.then((code) => {
          if (!waiters.includes(w)) return;
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before a line matching ${pattern}; stderr:\n${lines.join("\n")}${rest}`));
        });
      });
    },
  };
}

/**
 * Starts a worker and waits until it listens. Its stalled-job time is 3 s (the default is 30 s) so
 * that a killed worker's job moves on quickly; later `extra` flags override it.
 */
export async function startWorker(url: string, extra: readonly string[] = []): Promise<Child> {
  const w = lima(["worker", "--queue", url, "--stalled-ms", "3000", ...extra]);
  await w.waitFor(/waiting for jobs/);
  return w;
}

/** SIGTERM, then the exit code; SIGKILL when it has not exited within `graceMs`. */
export async function stop(child: Child, graceMs = 15_000): Promise<number | string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The "done <job> <image> <method>" lines of workers: which pairs each computed. */
export function donePairs(worker: Child): string[] {
  return worker.lines.map((l) => /: done \S+ (\S+) (\S+) in/.exec(l)).filter((m) => m !== null).map((m) => `${m![1]}/${m![2]}`);
}

/**
 * A throw-away redis-server for one test and the list of child processes the test starts; when the
 * test ends the children are stopped first (workers close their Redis connections), then Redis.
 */
export async function queueHarness(t: { after(fn: () => Promise<void>): void }): Promise<{ url: string; children: Child[] }> {
  const redis = await startRedis();
  const children: Child[] = [];
  t.after(async () => {
    await Promise.all(children.map((c) => stop(c)));
    await redis.stop();
  });
  return { url: redis.url, children };
}
