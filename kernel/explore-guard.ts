/**
 * The supervisor between `lima-xai explore` and its jupyter-server:
 * `node explore-guard.js <json>` with {parentPid, prefix, command, args}. It starts the server
 * (whose output goes straight to the guard's own stdout/stderr), and when the explore process
 * is gone (even killed with -9, which lets it clean nothing up), or on SIGTERM/SIGINT, it stops
 * the server (SIGTERM, SIGKILL after 5 s) and removes the temporary folder. When the server
 * exits on its own, the guard removes the folder and exits with the server's code. The kernels
 * exit with their parent, the server (kernel/main.ts).
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";

export interface GuardConfig {
  readonly parentPid: number;
  readonly prefix: string;
  readonly command: string;
  readonly args: readonly string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const config = JSON.parse(process.argv[2] ?? "{}") as GuardConfig;
const server = spawn(config.command, config.args, { stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;

function cleanUp(code: number): never {
  rmSync(config.prefix, { recursive: true, force: true });
  process.exit(code);
}

server.once("error", (error) => {
  process.stderr.write(`cannot start ${config.command}: ${error.message} (install Debian's jupyter-server, or set LIMA_XAI_JUPYTER)\n`);
  cleanUp(127);
});
server.once("exit", (code, signal) => cleanUp(stopping ? 0 : (code ?? (signal ? 1 : 0))));

function stop(): void {
  if (stopping) return;
  stopping = true;
  if (server.exitCode !== null || server.signalCode !== null) cleanUp(0);
  server.kill("SIGTERM");
  setTimeout(() => server.kill("SIGKILL"), 5000).unref();
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent || !alive(config.parentPid)) stop();
}, 500);
