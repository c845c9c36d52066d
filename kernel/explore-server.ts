/**
 * The stand-alone explorer: Debian's jupyter-server runs our kernel, and a page of our own
 * (widgets/page, @jupyterlab/services + @jupyter-widgets/html-manager + our widget module)
 * renders the explorer live against it — the explorer without JupyterLab.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { GuardConfig } from "./explore-guard";
import { installKernel } from "./install";
import { PACKAGE_ROOT } from "./paths";
import type { PageRequest } from "../src/widgets/page-host";

/** Folder served as static files: index.html and the bundle built by scripts/build-page.js. */
export const PAGE_DIR = path.join(PACKAGE_ROOT, "widgets", "page");
export const PAGE_BUNDLE = path.join(PAGE_DIR, "bundle", "page.js");

export interface ExploreServerOptions {
  /**
   * What the page asks the kernel for: model, photos (files or one folder, absolute paths),
   * device, initial settings. It travels to the page as one JSON value in the URL and from the
   * page to the kernel as the data of one comm_open; the kernel checks it against the schema.
   */
  readonly request: PageRequest;
  /** Port (default: a free one picked here; jupyter-server would otherwise move on silently). */
  readonly port?: number;
  /** The jupyter command (default $LIMA_XAI_JUPYTER, else /usr/bin/jupyter when present, else `jupyter`). */
  readonly jupyter?: string;
  /** Seconds to wait for the server (default 60). */
  readonly startTimeoutS?: number;
  /** Server log lines (default: dropped). */
  readonly log?: (line: string) => void;
}

export interface ExploreServer {
  /** The page's URL, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Stops the server (and with it the kernels) and removes the temporary kernelspec. */
  stop(): Promise<void>;
  /** Resolves when the server has exited (stopped, or on its own), with its exit code. */
  readonly exited: Promise<number | null>;
  /** The supervisor's process id (it runs jupyter-server; see explore-guard.ts). */
  readonly pid: number;
  /** The temporary folder (kernelspec, config, runtime files and the empty root folder). */
  readonly prefix: string;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `count` distinct free ports: all are held open until every one is known, so two calls in a row
 * cannot hand out the same port (the system may reuse a port as soon as it is closed).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function jupyterCommand(option?: string): string {
  if (option) return option;
  if (process.env.LIMA_XAI_JUPYTER) return process.env.LIMA_XAI_JUPYTER;
  return existsSync("/usr/bin/jupyter") ? "/usr/bin/jupyter" : "jupyter";
}

async function waitForServer(port: number, token: string, child: ChildProcess, timeoutS: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`jupyter server exited with code ${child.exitCode}: ${output().slice(-800)}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter server did not answer on port ${port} within ${timeoutS} s: ${output().slice(-800)}`);
}

/** Starts jupyter-server with our kernelspec and the explorer page; resolves once it answers. */
export async function startExploreServer(options: ExploreServerOptions): Promise<ExploreServer> {
  if (!existsSync(PAGE_BUNDLE)) throw new Error(`the explorer page is not built (${PAGE_BUNDLE}): run "npm run build" in ${PACKAGE_ROOT}`);
  const prefix = mkdtempSync(path.join(os.tmpdir(), "lima-explore-"));
  installKernel({ prefix });
  const port = options.port ?? (await freePort());
  const token = randomBytes(16).toString("hex");
  const data = path.join(prefix, "share", "jupyter");
  const root = path.join(prefix, "root");
  mkdirSync(root, { mode: 0o700 });
  const args = [
    "server",
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.token=${token}`,
    `--ServerApp.extra_static_paths=${PAGE_DIR}`,
    // A private empty folder: the contents API lists and reads files under the root.
    `--ServerApp.root_dir=${root}`,
    // CI containers run as root; jupyter-server refuses that unless told.
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ];
  // jupyter-server runs under a supervisor that stops it and removes `prefix` when this process
  // is gone, even killed with -9 (which leaves it no chance to clean up itself).
  const guard: GuardConfig = { parentPid: process.pid, prefix, command: jupyterCommand(options.jupyter), args };
  const child = spawn(process.execPath, [path.join(__dirname, "explore-guard.js"), JSON.stringify(guard)], {
    env: { ...process.env, JUPYTER_PATH: [data, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter), JUPYTER_CONFIG_DIR: path.join(prefix, "config"), JUPYTER_RUNTIME_DIR: path.join(prefix, "runtime") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    for (const line of chunk.toString().split("\n")) if (line.trim()) options.log?.(line);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const spawnError = new Promise<never>((_, reject) => child.once("error", (e) => reject(new Error(`cannot start the explore supervisor: ${e.message}`))));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      // The supervisor itself gives the server 5 s before SIGKILL; this is the last resort.
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForServer(port, token, child, options.startTimeoutS ?? 60, () => output), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  const query = new URLSearchParams({ token, request: JSON.stringify(options.request) });
  return { url: `http://127.0.0.1:${port}/static/index.html?${query}`, port, token, stop, exited, pid: child.pid!, prefix };
}
