/**
 * `lima-xai explore --model … --image … | --images <folder>`: the live explorer without JupyterLab. Starts Debian's
 * jupyter-server with our kernel and the explorer page, prints the URL, and runs until Ctrl-C.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { loadImage } from "../image/load";
import { loadModel } from "../model/load";
import { METHODS } from "../methods/registry";
import { PRESET, REGIONS } from "../params/lima";
import { DEVICES } from "../model/onnx";
import { type ChoiceParam, checkParam, type ParamSpec } from "../params/types";
import { listPhotos } from "../widgets/photos";
import type { PageRequest } from "../widgets/page-host";
import { EXPLORER_DIVISION_PARAMS } from "../widgets/schema";
import { choiceFlag, numberFlag, parseFlags, requiredFlag, UsageError } from "./args";

const DIVISION_CHOICES = (EXPLORER_DIVISION_PARAMS.find((p) => p.name === "division") as ChoiceParam).choices;

export const EXPLORE_USAGE =
  `lima-xai explore --model <path|name> (--image <file> [--image <file> …] | --images <folder>) [--method <name>] [--compare <name>] ` +
  `[--regions ${REGIONS.min}..${REGIONS.max}, default ${REGIONS.default}] [--division ${DIVISION_CHOICES.join("|")}] [--preset ${PRESET.choices.join("|")}] [--device ${DEVICES.join("|")}] [--port N] [--no-open]`;

const FLAGS = {
  model: { type: "string" },
  image: { type: "string", multiple: true },
  images: { type: "string" },
  method: { type: "string" },
  compare: { type: "string" },
  regions: { type: "string" },
  division: { type: "string" },
  preset: { type: "string" },
  device: { type: "string" },
  port: { type: "string" },
  "no-open": { type: "boolean" },
  debug: { type: "boolean" },
} as const;

/** A flag checked against its schema entry (range, choices): the error names the flag, the value and what is allowed. */
function schemaFlag(flag: string, spec: ParamSpec, raw: string | undefined): number | string | boolean | undefined {
  if (raw === undefined) return undefined;
  const value = spec.kind === "number" ? (raw.trim() === "" ? NaN : Number(raw)) : spec.kind === "boolean" ? raw === "true" ? true : raw === "false" ? false : raw : raw;
  try {
    return checkParam(spec, value);
  } catch (error) {
    throw new UsageError(`--${flag} ${JSON.stringify(raw)} is not allowed: ${(error as Error).message.replace(/^.*? is not allowed: /, "")}`);
  }
}

/** A registered method's name, or a UsageError listing the registry. */
function methodFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const names = METHODS.map((m) => m.name);
  if (!names.includes(value)) throw new UsageError(`--${flag} ${JSON.stringify(value)} is not allowed: use one of ${names.join(", ")}`);
  return value;
}

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
  /** The page's request: one JSON value (see src/widgets/page-host.ts). */
  request: PageRequest;
  port?: number;
  log?: (line: string) => void;
}) => Promise<{ readonly url: string; stop(): Promise<void> }>;

/** Runs the explorer server until SIGINT/SIGTERM; returns the exit code. */
export async function exploreCommand(args: string[], startExploreServer: StartExploreServer): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (${EXPLORE_USAGE})`);
  const model = modelSpec(requiredFlag("model", values.model));
  const files = (values.image ?? []).map((f) => path.resolve(f));
  if (files.length > 0 && values.images !== undefined) throw new UsageError("give photos with --image <file> (repeatable) or --images <folder>, not both");
  if (files.length === 0 && values.images === undefined) throw new UsageError(`--image or --images is required (${EXPLORE_USAGE})`);
  for (const f of files) if (!existsSync(f) || !statSync(f).isFile()) throw new UsageError(`--image ${f} is not a file`);
  let images = files;
  if (values.images !== undefined) {
    const folder = path.resolve(values.images);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--images ${folder} is not a folder`);
    try {
      listPhotos(folder);
    } catch (error) {
      throw new UsageError(`--images ${(error as Error).message}`);
    }
    images = [folder];
  }
  const method = methodFlag("method", values.method);
  const compare = methodFlag("compare", values.compare);
  if (compare !== undefined && compare === (method ?? METHODS[0].name)) throw new UsageError(`--compare ${compare} is the method itself: pick another (${METHODS.map((m) => m.name).join(", ")})`);
  const division: Record<string, number | string | boolean> = {};
  for (const spec of EXPLORER_DIVISION_PARAMS) {
    const flag = spec.name as "regions" | "division";
    const value = schemaFlag(flag, spec, values[flag]);
    if (value !== undefined) division[spec.name] = value;
  }
  // --preset applies to every method that has one (LIMA, SMDL).
  const preset = schemaFlag("preset", PRESET, values.preset);
  const params = preset === undefined ? undefined : Object.fromEntries(METHODS.filter((m) => m.params.some((p) => p.name === PRESET.name)).map((m) => [m.name, { [PRESET.name]: preset }]));
  const device = choiceFlag("device", values.device, DEVICES, "cpu");
  const port = values.port === undefined ? undefined : numberFlag("port", values.port, 0, { integer: true, min: 1, max: 65535 });
  if (port !== undefined) await checkPortFree(port);
  // Fail here, with the CLI's one-line errors, rather than later on the page.
  const loaded = await loadModel(model, { device });
  try {
    await loadImage(files[0] ?? listPhotos(images[0])[0], loaded.card);
  } finally {
    await loaded.dispose();
  }
  const settings = { ...(method ? { method } : {}), ...(compare ? { compare } : {}), ...(Object.keys(division).length ? { division } : {}), ...(params ? { params } : {}) };
  const request: PageRequest = { model, images, device, settings };
  const server = await startExploreServer({ request, port, log: values.debug ? (l) => process.stderr.write(`[jupyter] ${l}\n`) : undefined });
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
