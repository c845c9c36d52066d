import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { tempDir } from "./onnx-graphs";
import { MODELS, PHOTOS, REPO, SHARED } from "./paths";

export const JUPYTER = "/usr/bin/jupyter";

export interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  name?: string;
  text?: string | string[];
}

export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: NotebookOutput[];
}

export interface Notebook {
  cells: NotebookCell[];
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

/** The environment notebooks run in: our kernelspec, and the data through LIMA_XAI_DATA (src/notebooks/data.ts) and the older variables. */
export function notebookEnv(jupyterPath: string): NodeJS.ProcessEnv {
  return { ...process.env, JUPYTER_PATH: jupyterPath, LIMA_XAI_DATA: path.join(SHARED, "data"), LIMA_XAI_MODELS: MODELS, LIMA_XAI_PHOTOS: PHOTOS };
}

/** A notebook executed by nbconvert: the saved notebook, its file, and the seconds nbconvert took. */
export interface ExecutedNotebook {
  readonly notebook: Notebook;
  readonly file: string;
  readonly seconds: number;
}

/**
 * Executes a notebook with Debian's nbconvert (nbclient) on our kernel into a temporary file
 * (the source is left as it is), in the notebook's own folder. `extra` are more nbconvert flags.
 */
export function runNotebook(notebook: string, jupyterPath: string, extra: string[] = [], timeoutMs = 300_000): ExecutedNotebook {
  const out = path.join(tempDir("nb-"), `${path.basename(notebook, ".ipynb")}.ipynb`);
  const t0 = performance.now();
  const r = spawnSync(JUPYTER, ["nbconvert", "--to", "notebook", "--execute", notebook, "--output", out, "--ExecutePreprocessor.timeout=300", ...extra], {
    cwd: path.dirname(notebook),
    env: notebookEnv(jupyterPath),
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.status, 0, `nbconvert --execute ${path.basename(notebook)} failed (exit ${r.status ?? r.signal}):\n${(r.stderr ?? "").slice(-4000)}`);
  return { notebook: JSON.parse(readFileSync(out, "utf8")) as Notebook, file: out, seconds };
}

/** Executes a notebook with Debian's nbconvert (nbclient) on our kernel; returns the saved notebook. */
export function executeNotebook(notebook: string, jupyterPath: string, extra: string[] = []): Notebook {
  return runNotebook(notebook, jupyterPath, extra).notebook;
}

/** nbconvert's HTML (lab template, the default) of a saved notebook; returns the HTML file. */
export function notebookHtml(file: string): string {
  const out = path.join(tempDir("html-"), `${path.basename(file, ".ipynb")}.html`);
  const r = spawnSync(JUPYTER, ["nbconvert", "--to", "html", file, "--output", out], { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `nbconvert --to html ${path.basename(file)} failed:\n${(r.stderr ?? "").slice(-3000)}`);
  return out;
}
