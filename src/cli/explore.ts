/**
 * `lima-xai explore --model … --image …`: the live explorer without JupyterLab. Starts Debian's
 * jupyter-server with our kernel and the explorer page, prints the URL, and runs until Ctrl-C.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { loadImage } from "../image/load";
import { loadModel } from "../model/load";
import { REGIONS } from "../params/lima";
import { choiceFlag, numberFlag, parseFlags, requiredFlag, UsageError } from "./args";

export const EXPLORE_USAGE = `lima-xai explore --model <path|name> --image <file> [--regions ${REGIONS.min}..${REGIONS.max}, default ${REGIONS.default}] [--division slico|grid] [--port N] [--no-open]`;

const FLAGS = {
  model: { type: "string" },
  image: { type: "string" },
  regions: { type: "string" },
  division: { type: "string" },
  port: { type: "string" },
  "no-open": { type: "boolean" },
  debug: { type: "boolean" },
} as const;

/** A model name stays a name (the kernel resolves it the same way); a path becomes absolute. */
function modelSpec(spec: string): string {
  return spec.endsWith(".onnx") || spec.includes("/") || spec.includes(path.sep) ? path.resolve(spec) : spec;
}

/** Rejects with a UsageError when someone listens on `port` already (jupyter-server would only say so in its log). */
function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" || error.code === "EACCES" ? new UsageError(`--port ${port} is not available (${error.code}): pick another or leave --port out`) : error),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

/** The desktop's "open this URL" command, or undefined where there is none. */
function opener(url: string): [string, string[]] | undefined {
  if (process.env.BROWSER) return [process.env.BROWSER, [url]];
  if (process.platform === "darwin") return ["open", [url]];
  if (process.platform === "win32") return ["cmd", ["/c", "start", "", url]];
  return existsSync("/usr/bin/xdg-open") ? ["/usr/bin/xdg-open", [url]] : undefined;
}

/** Opens the page in the user's browser, best effort: a failure leaves the printed URL to click. */
function openInBrowser(url: string): void {
  const command = opener(url);
  if (!command) return;
  const child = spawn(command[0], command[1], { stdio: "ignore", detached: true });
  child.once("error", () => undefined);
  child.unref();
}

/** Starts the explorer server (kernel/explore-server.ts's startExploreServer, handed in by the composition root app/main.ts). */
export type StartExploreServer = (options: {
  model: string;
  image: string;
  regions: number;
  division: "slico" | "grid";
  port?: number;
  log?: (line: string) => void;
}) => Promise<{ readonly url: string; stop(): Promise<void> }>;

/** Runs the explorer server until SIGINT/SIGTERM; returns the exit code. */
export async function exploreCommand(args: string[], startExploreServer: StartExploreServer): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (${EXPLORE_USAGE})`);
  const model = modelSpec(requiredFlag("model", values.model));
  const image = path.resolve(requiredFlag("image", values.image));
  const regions = numberFlag("regions", values.regions, REGIONS.default, { integer: true, min: REGIONS.min, max: REGIONS.max });
  const division = choiceFlag("division", values.division, ["slico", "grid"] as const, "slico");
  const port = values.port === undefined ? undefined : numberFlag("port", values.port, 0, { integer: true, min: 1, max: 65535 });
  if (!existsSync(image) || !statSync(image).isFile()) throw new UsageError(`--image ${image} is not a file`);
  if (port !== undefined) await checkPortFree(port);
  // Fail here, with the CLI's one-line errors, rather than later on the page.
  const loaded = await loadModel(model);
  try {
    await loadImage(image, loaded.card);
  } finally {
    await loaded.dispose();
  }
  const server = await startExploreServer({ model, image, regions, division, port, log: values.debug ? (l) => process.stderr.write(`[jupyter] ${l}\n`) : undefined });
  process.stdout.write(`lima-xai explore: open ${server.url}\n(Ctrl-C stops the server)\n`);
  // Like `jupyter server`: open the page, but only for a person at a terminal (never from scripts or tests).
  if (!values["no-open"] && process.stdout.isTTY) openInBrowser(server.url);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.stop();
  return 0;
}
