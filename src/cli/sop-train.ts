/**
 * `lima-xai sop-train`: trains the Sum-of-Parts GroupSelect of a model on a folder of photos and
 * writes it where the `sop` method finds it.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { serialiseGroupSelect } from "../methods/sop/group-select";
import { DEFAULT_SOP_RADII, loadSopBackbone } from "../methods/sop/index";
import { trainSopOnPhotos } from "../methods/sop/folder";
import { sopWeightsFile } from "../methods/sop/method";
import { REGIONS } from "../params/lima";
import { UsageError } from "./args";

export const SOP_TRAIN_USAGE = `lima-xai sop-train --model <path|name> --images <folder> [--hold-out 0.25 | --test <folder>] [--epochs 3] [--regions ${REGIONS.min}..${REGIONS.max}, default ${REGIONS.default}] [--radii 1,2] [--out <file>]`;

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} ${text} is not allowed: use an integer in ${min}..${max}`);
  return v;
}

/** The photos of a folder, sorted by name. */
function photoFiles(folder: string): string[] {
  return readdirSync(folder).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => path.join(folder, f));
}

/** Runs the command; prints a JSON report of agreement and accuracy (on the held-out or --test photos too). */
export async function sopTrainCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, allowNegative: false, options: { model: { type: "string" }, images: { type: "string" }, "hold-out": { type: "string" }, epochs: { type: "string" }, regions: { type: "string" }, radii: { type: "string" }, out: { type: "string" }, test: { type: "string" }, debug: { type: "boolean" } } });
  if (!values.model || !values.images) throw new UsageError(`--model and --images are required: ${SOP_TRAIN_USAGE}`);
  const folder = values.images;
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--images ${folder} is not a folder`);
  const files = photoFiles(folder);
  // --test: the held-out photos are another folder's (a k-fold split made by the caller), so none of --images is held out.
  if (values.test !== undefined && values["hold-out"] !== undefined) throw new UsageError(`--hold-out and --test exclude each other: --test ${values.test} already gives the held-out photos`);
  if (values.test !== undefined && !statSync(values.test, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--test ${values.test} is not a folder`);
  const testFiles = values.test === undefined ? undefined : photoFiles(values.test);
  if (testFiles?.length === 0) throw new UsageError(`--test ${values.test} has no photos (.jpg, .jpeg, .png, .webp)`);
  const holdOut = values["hold-out"] === undefined ? (testFiles ? 0 : 0.25) : Number(values["hold-out"]);
  if (!(holdOut >= 0 && holdOut < 1)) throw new UsageError(`--hold-out ${values["hold-out"]} is not allowed: use a fraction in [0, 1)`);
  const nHeld = Math.round(files.length * holdOut);
  if (files.length - nHeld < 1) throw new UsageError(`--images ${folder} has ${files.length} photos; at least one must be left for training`);
  const radii = (values.radii ?? DEFAULT_SOP_RADII.join(",")).split(",").map((r) => Number(r.trim()));
  if (radii.some((r) => !Number.isInteger(r) || r < 0 || r > 10)) throw new UsageError(`--radii ${values.radii} is not allowed: use comma-separated integers in 0..10`);
  const backbone = await loadSopBackbone(values.model);
  try {
    const report = await trainSopOnPhotos(backbone, {
      train: files.slice(0, files.length - nHeld),
      heldOut: testFiles ?? files.slice(files.length - nHeld),
      epochs: integer("epochs", values.epochs, 3, 0, 10000),
      regions: integer("regions", values.regions, REGIONS.default, REGIONS.min, REGIONS.max),
      radii,
      onLine: (line) => process.stderr.write(`${line}\n`),
    });
    const out = values.out ?? sopWeightsFile(backbone.model.name);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, serialiseGroupSelect(report.weights, { model: backbone.model.name, head: backbone.head.kind, trainedOn: report.train.n, radii }));
    const { weights: _w, losses, ...summary } = report;
    process.stdout.write(`${JSON.stringify({ out, ...summary, finalLoss: losses[losses.length - 1] })}\n`);
    return 0;
  } finally {
    await backbone.dispose();
  }
}
