/**
 * `lima-xai explore --model … --image …`: the live explorer without JupyterLab. Starts Debian's
 * jupyter-server with our kernel and the explorer page, prints the URL, and runs until Ctrl-C.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { loadImage } from "../image/load";
import { loadModel } from "../model/load";
import { choiceFlag, numberFlag, parseFlags, requiredFlag, UsageError } from "./args";

export const EXPLORE_USAGE = "lima-xai explore --model <path|name> --image <file> [--regions 49] [--division slico|grid] [--port N]";

const FLAGS = {
  model: { type: "string" },
  image: { type: "string" },
  regions: { type: "string" },
  division: { type: "string" },
  port: { type: "string" },
  debug: { type: "boolean" },
} as const;

/** A model name stays a name (the kernel resolves it the same way); a path becomes absolute. */
function modelSpec(spec: string): string {
  return spec.endsWith(".onnx") || spec.includes("/") || spec.includes(path.sep) ? path.resolve(spec) : spec;
}

/** Runs the explorer server until SIGINT/SIGTERM; returns the exit code. */
export async function exploreCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (${EXPLORE_USAGE})`);
  const model = modelSpec(requiredFlag("model", values.model));
  const image = path.resolve(requiredFlag("image", values.image));
  const regions = numberFlag("regions", values.regions, 49, { integer: true, min: 2, max: 400 });
  const division = choiceFlag("division", values.division, ["slico", "grid"] as const, "slico");
  const port = values.port === undefined ? undefined : numberFlag("port", values.port, 0, { integer: true, min: 1, max: 65535 });
  if (!existsSync(image) || !statSync(image).isFile()) throw new UsageError(`--image ${image} is not a file`);
  // Fail here, with the CLI's one-line errors, rather than later on the page.
  const loaded = await loadModel(model);
  try {
    await loadImage(image, loaded.card);
  } finally {
    await loaded.dispose();
  }
  const { startExploreServer } = require("../../kernel/explore-server") as typeof import("../../kernel/explore-server");
  const server = await startExploreServer({ model, image, regions, division, port, log: values.debug ? (l) => process.stderr.write(`[jupyter] ${l}\n`) : undefined });
  process.stdout.write(`lima-xai explore: open ${server.url}\n(Ctrl-C stops the server)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.stop();
  return 0;
}
