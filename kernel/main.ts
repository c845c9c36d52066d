/**
 * Starts the lima-ts kernel: `node dist/kernel/main.js <connection_file>` (the kernelspec's argv).
 */
import { readFileSync } from "node:fs";
import { Kernel } from "./kernel";
import { PACKAGE_NAME, PACKAGE_ROOT } from "./paths";
import { aliasPackage } from "./resolve";
import { type ConnectionInfo, KernelServer, log } from "./server";

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
  process.on("SIGINT", () => kernel.interrupt());
  process.on("SIGTERM", () => kernel.shutdown());
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
