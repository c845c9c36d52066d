import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Where the notebooks find their models and photos. */
export interface NotebookData {
  /** The data folder: `$LIMA_XAI_DATA`, default `../shared/data` beside the repository. */
  readonly root: string;
  /** ONNX models with their cards (`<root>/models`). */
  readonly models: string;
  /** Everyday photos (`<root>/images/photos`). */
  readonly photos: string;
  /** ImageNet validation photos named `<wnid>_<label>.JPEG` (`<root>/images/imagenet`). */
  readonly imagenet: string;
}

/** The folder holding this package's package.json (the repository in a checkout). */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "lima-xai") return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/**
 * The one setting of the notebooks: `LIMA_XAI_DATA` names a folder with `models/` (ONNX files and
 * their cards) and `images/photos`, `images/imagenet`; unset, `../shared/data` beside the
 * repository. Throws, naming the folder and the variable, when the folder has no `models/`.
 */
export function notebookData(env: NodeJS.ProcessEnv = process.env): NotebookData {
  const given = env.LIMA_XAI_DATA;
  const root = given ? path.resolve(given) : path.resolve(packageRoot(), "../shared/data");
  const models = path.join(root, "models");
  if (!existsSync(models)) {
    const origin = given ? `LIMA_XAI_DATA=${given}` : `the default ${root} (LIMA_XAI_DATA is not set)`;
    throw new Error(`no models/ folder in ${origin}: set LIMA_XAI_DATA to a folder holding models/ (ONNX files with their .json cards) and images/photos`);
  }
  return { root, models, photos: path.join(root, "images/photos"), imagenet: path.join(root, "images/imagenet") };
}
