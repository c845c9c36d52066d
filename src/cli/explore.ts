/**
 * `lima-xai explore --model … --image … | --images <folder>`: the live explorer without JupyterLab. Starts Debian's
 * jupyter-server with our kernel and the explorer page, prints the URL, and runs until Ctrl-C.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { labelImageFor, loadRegionLabels } from "../division";
import { loadImage } from "../image/load";
import { loadModel } from "../model/load";
import { METHODS } from "../methods/registry";
import { PORT } from "../params/commands";
import { DEVICE, PRESET } from "../params/lima";
import type { ChoiceParam, ParamSpec } from "../params/types";
import { listPhotos } from "../widgets/photos";
import type { PageRequest } from "../widgets/page-host";
import { EXPLORER_DIVISION_PARAMS } from "../widgets/schema";
import { parseFlags, requiredFlag, UsageError } from "./args";
import { divisionFlagsHelp } from "./explain";
import { flagOf, flagOptions, flagValue, helpLines, readParamFlags } from "./flags";

/** Parameters of `explore` read from flags (the page's division controls, the λ preset, the device, the server's port). */
export const EXPLORE_PARAMS: readonly ParamSpec[] = [...EXPLORER_DIVISION_PARAMS, PRESET, DEVICE, PORT];

export const EXPLORE_USAGE = [
  "lima-xai explore --model <path|name> (--image <file> [--image <file> …] | --images <folder>) [--method <name>] [--compare <name>] [--no-open] [--debug]",
  "  [--regions-from <label image or folder of them>] (the photos' own regions, a folder holding one per photo by name stem; replaces --division and its flags)",
  ...helpLines(EXPLORE_PARAMS),
  divisionFlagsHelp((EXPLORER_DIVISION_PARAMS[0] as ChoiceParam).choices),
].join("\n");

const FLAGS = {
  model: { type: "string" },
  image: { type: "string", multiple: true },
  images: { type: "string" },
  method: { type: "string" },
  compare: { type: "string" },
  "regions-from": { type: "string" },
  "no-open": { type: "boolean" },
  debug: { type: "boolean" },
  ...flagOptions(EXPLORE_PARAMS),
} as const;

/** A registered method's name, or a UsageError listing the registry. */
function methodFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const names = METHODS.map((m) => m.name);
  if (!names.includes(value)) throw new UsageError(`--${flag} ${JSON.stringify(value)} is not allowed: use one of ${names.join(", ")}`);
  return value;
}

/**
 * The division settings the flags name (only those given: the page fills the schema's defaults),
 * or none with `--regions-from`. A strategy's own flag with another strategy is refused, naming
 * the strategies it applies to (the schema's `when`).
 */
function divisionSettings(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const given = EXPLORER_DIVISION_PARAMS.filter((p) => values[flagOf(p)] !== undefined);
  if (values["regions-from"] !== undefined && given.length) throw new UsageError(`--regions-from gives the regions itself: leave out ${given.map((p) => `--${flagOf(p)}`).join(", ")}`);
  const division = readParamFlags(EXPLORER_DIVISION_PARAMS, values);
  const chosen = flagValue<string>(EXPLORER_DIVISION_PARAMS[0], values);
  for (const p of given) {
    const applies = p.when?.division;
    if (applies && !applies.includes(chosen)) throw new UsageError(`--${flagOf(p)} is not a parameter of --division ${chosen}: it applies to --division ${applies.join(", ")}`);
  }
  return division;
}

/** What the flags of `explore` say, checked, before any file but the photos' is read. */
export interface ExploreConfig {
  /** The page's request: one JSON value. */
  readonly request: PageRequest;
  /** `--port` (PORT of src/params/commands.ts); 0: the server takes a free port. */
  readonly port: number;
  readonly open: boolean;
  readonly debug: boolean;
}

/** Parses and checks every flag of `explore` (a {@link UsageError} names a bad one); lists the photos and, with --regions-from, finds each photo's label image. */
export function parseExploreFlags(args: string[]): ExploreConfig {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (${EXPLORE_USAGE})`);
  const v = values as Record<string, string | boolean | string[] | undefined>;
  const model = modelSpec(requiredFlag("model", values.model));
  const files = (values.image ?? []).map((f) => path.resolve(f));
  if (files.length > 0 && values.images !== undefined) throw new UsageError("give photos with --image <file> (repeatable) or --images <folder>, not both");
  if (files.length === 0 && values.images === undefined) throw new UsageError(`--image or --images is required (${EXPLORE_USAGE})`);
  for (const f of files) if (!existsSync(f) || !statSync(f).isFile()) throw new UsageError(`--image ${f} is not a file`);
  let images = files;
  let photoFiles = files;
  if (values.images !== undefined) {
    const folder = path.resolve(values.images);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--images ${folder} is not a folder`);
    try {
      photoFiles = listPhotos(folder);
    } catch (error) {
      throw new UsageError(`--images ${(error as Error).message}`);
    }
    images = [folder];
  }
  const method = methodFlag("method", values.method);
  const compare = methodFlag("compare", values.compare);
  if (compare !== undefined && compare === (method ?? METHODS[0].name)) throw new UsageError(`--compare ${compare} is the method itself: pick another (${METHODS.map((m) => m.name).join(", ")})`);
  const division = divisionSettings(v);
  const regionsFrom = values["regions-from"] === undefined ? undefined : path.resolve(values["regions-from"]);
  if (regionsFrom !== undefined) {
    // Every photo must find its label image now, not later on the page.
    try {
      for (const f of photoFiles) labelImageFor(regionsFrom, path.basename(f));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  // --preset applies to every method that has one (LIMA, SMDL).
  const preset = v[flagOf(PRESET)] === undefined ? undefined : flagValue<string>(PRESET, v);
  const params = preset === undefined ? undefined : Object.fromEntries(METHODS.filter((m) => m.params.some((p) => p.name === PRESET.name)).map((m) => [m.name, { [PRESET.name]: preset }]));
  const device = flagValue<PageRequest["device"] & string>(DEVICE, v);
  const port = flagValue<number>(PORT, v);
  const settings = { ...(method ? { method } : {}), ...(compare ? { compare } : {}), ...(Object.keys(division).length ? { division } : {}), ...(params ? { params } : {}) };
  const request: PageRequest = { model, images, device, settings, ...(regionsFrom !== undefined ? { regionsFrom } : {}) };
  return { request, port, open: !values["no-open"], debug: Boolean(values.debug) };
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
}) => Promise<{ readonly url: string; stop(): Promise<void>; /** Resolves when the server exits (stopped, or on its own). */ readonly exited: Promise<unknown> }>;

/** Runs the explorer server until SIGINT/SIGTERM; returns the exit code. */
export async function exploreCommand(args: string[], startExploreServer: StartExploreServer): Promise<number> {
  const { request, port: given, open, debug } = parseExploreFlags(args);
  const port = given === 0 ? undefined : given;
  if (port !== undefined) await checkPortFree(port);
  // Fail here, with the CLI's one-line errors, rather than later on the page.
  const loaded = await loadModel(request.model, { device: request.device });
  try {
    const first = request.images.length === 1 && statSync(request.images[0]).isDirectory() ? listPhotos(request.images[0])[0] : request.images[0];
    await loadImage(first, loaded.card);
    if (request.regionsFrom !== undefined) {
      try {
        await loadRegionLabels(labelImageFor(request.regionsFrom, path.basename(first)), loaded.card);
      } catch (error) {
        throw error instanceof RangeError ? new UsageError(`--regions-from: ${error.message}`) : error;
      }
    }
  } finally {
    await loaded.dispose();
  }
  const server = await startExploreServer({ request, port, log: debug ? (l) => process.stderr.write(`[jupyter] ${l}\n`) : undefined });
  process.stdout.write(`lima-xai explore: open ${server.url}\n(Ctrl-C stops the server)\n`);
  // Like `jupyter server`: open the page, but only for a person at a terminal (never from scripts or tests).
  if (open && process.stdout.isTTY) openInBrowser(server.url);
  const ended = await new Promise<"signal" | "exited">((resolve) => {
    process.once("SIGINT", () => resolve("signal"));
    process.once("SIGTERM", () => resolve("signal"));
    void server.exited.then(() => resolve("exited"));
  });
  await server.stop();
  if (ended === "exited") {
    process.stderr.write("lima-xai explore: the jupyter server exited; stopping\n");
    return 1;
  }
  return 0;
}
