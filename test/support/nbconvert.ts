import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { tempDir } from "./onnx-graphs";
import { MODELS, PHOTOS, REPO } from "./paths";

export interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  name?: string;
  text?: string | string[];
}

export interface Notebook {
  cells: { source: string | string[]; outputs?: NotebookOutput[] }[];
  metadata: Record<string, unknown>;
}

/** nbformat stores multi-line text as a list of lines. */
export const notebookText = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v));

/** Installs our kernelspec into a fresh prefix; returns the JUPYTER_PATH entry for it. */
export function installKernel(): string {
  const prefix = tempDir("prefix-");
  const r = spawnSync(process.execPath, [path.join(REPO, "bin/lima-xai.js"), "kernel", "install", "--prefix", prefix], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return path.join(prefix, "share/jupyter");
}

/** Executes a notebook with Debian's nbconvert (nbclient) on our kernel; returns the saved notebook. */
export function executeNotebook(notebook: string, jupyterPath: string, extra: string[] = []): Notebook {
  const out = path.join(tempDir("nb-"), "out.ipynb");
  const r = spawnSync("/usr/bin/jupyter", ["nbconvert", "--to", "notebook", "--execute", notebook, "--output", out, "--ExecutePreprocessor.timeout=300", ...extra], {
    cwd: path.dirname(notebook),
    env: { ...process.env, JUPYTER_PATH: jupyterPath, LIMA_XAI_MODELS: MODELS, LIMA_XAI_PHOTOS: PHOTOS },
    encoding: "utf8",
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  return JSON.parse(readFileSync(out, "utf8"));
}
