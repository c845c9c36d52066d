/**
 * Starts the lima-ts kernel: `node dist/kernel/main.js <connection_file>` (the kernelspec's argv).
 */
import { readFileSync } from "node:fs";
import { Kernel } from "./kernel";
import { PACKAGE_NAME, PACKAGE_ROOT } from "./paths";
import { aliasPackage } from "./resolve";
import { type ConnectionInfo, KernelServer, log } from "./server";

/** Whether process `pid` is alive (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/**
 * Exits when the process that started the kernel is gone, as ipykernel's ParentPoller does:
 * the parent (jupyter-server, a client) killed with -9 cannot shut the kernel down, and an
 * orphaned kernel would run forever. Watches the parent pid (reparenting changes process.ppid)
 * and $JPY_PARENT_PID, which jupyter_client sets to its own pid.
 */
function exitWithParent(onGone: (why: string) => void, intervalMs = 1000): void {
  const parent = process.ppid;
  const jpy = Number(process.env.JPY_PARENT_PID);
  const timer = setInterval(() => {
    if (process.ppid !== parent || !alive(parent)) onGone(`its parent process ${parent} is gone`);
    else if (Number.isInteger(jpy) && jpy > 1 && !alive(jpy)) onGone(`JPY_PARENT_PID ${jpy} is gone`);
  }, intervalMs);
  timer.unref();
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    log("usage: node dist/kernel/main.js <connection_file>");
    process.exit(2);
  }
  const conn = JSON.parse(readFileSync(file, "utf8")) as ConnectionInfo;
  aliasPackage(PACKAGE_NAME, PACKAGE_ROOT);
  const server = new KernelServer(conn);
  const kernel = new Kernel(server, process.cwd());
  // Known limit (Node's, not ours): while tslab runs a cell with vm's breakOnSigint, vm takes this
  // listener off and puts it back afterwards; a SIGINT landing in between (microseconds to
  // milliseconds at each cell's start and end) has its default action and ends the kernel. One
  // interrupt per click is safe; a stream of SIGINTs is not (test/kernel/abort.test.ts).
  process.on("SIGINT", () => kernel.interrupt());
  process.on("SIGTERM", () => kernel.shutdown());
  exitWithParent((why) => {
    log(`exiting: ${why}`);
    kernel.shutdown();
  });
  // Errors of code a cell left running (timers, callbacks) are shown to the user and logged.
  process.on("uncaughtException", (error) => {
    log(`uncaught exception: ${error.stack ?? error}`);
    console.error("Uncaught", error);
  });
  process.on("unhandledRejection", (reason) => {
    log(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
    console.error("Unhandled rejection", reason);
  });
  await server.start((channel, msg) => kernel.handle(channel, msg));
  log(`listening (${conn.transport}://${conn.ip}, shell ${conn.shell_port})`);
}

main().catch((error: unknown) => {
  log(`could not start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
