/**
 * Writes and removes the kernelspec (`share/jupyter/kernels/<name>/kernel.json` plus logos), and
 * the JupyterLab widget extension beside it when it has been built — no Python needed.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodePng } from "../src/image/png";
import { PACKAGE_ROOT } from "./paths";

/** Where to install: exactly one of these (default: user). */
export interface InstallLocation {
  readonly user?: boolean;
  readonly sysPrefix?: boolean;
  readonly prefix?: string;
}

export interface InstallOptions extends InstallLocation {
  /** Kernel name (default "lima-ts"). */
  readonly name?: string;
  /** Display name (default "TypeScript (lima-xai)"). */
  readonly displayName?: string;
}

export const DEFAULT_KERNEL_NAME = "lima-ts";
const REPO = PACKAGE_ROOT;
const LABEXTENSION = path.join(REPO, "widgets", "labextension");
const LABEXTENSION_NAME = "lima-xai-widgets";

/**
 * The Jupyter data directory (…/share/jupyter) of a location. `--user` honours
 * $JUPYTER_DATA_DIR as Jupyter does; `--sys-prefix` is the active conda or virtual environment,
 * else /usr/local (which Jupyter always searches).
 */
export function jupyterDataDir(location: InstallLocation): string {
  const chosen = [location.user, location.sysPrefix, location.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new RangeError("choose one of --user, --sys-prefix and --prefix DIR");
  if (location.prefix !== undefined) return path.join(path.resolve(location.prefix), "share", "jupyter");
  if (location.sysPrefix) return path.join(process.env.CONDA_PREFIX ?? process.env.VIRTUAL_ENV ?? "/usr/local", "share", "jupyter");
  if (process.env.JUPYTER_DATA_DIR) return path.resolve(process.env.JUPYTER_DATA_DIR);
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), ".local", "share"), "jupyter");
}

function checkName(name: string): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new RangeError(`kernel name ${JSON.stringify(name)} is not allowed: use letters, digits, ".", "_" and "-"`);
}

/** A simple logo: the project's colours as a square with a diagonal band. */
function logo(size: number): Buffer {
  const rgb = new Uint8ClampedArray(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const band = Math.abs(x - y) < size / 5;
      rgb.set(band ? [252, 190, 40] : [49, 120, 198], (y * size + x) * 3);
    }
  }
  return encodePng(rgb, size, size);
}

/** The kernel.json content. */
export function kernelSpec(displayName: string): Record<string, unknown> {
  return {
    argv: [process.execPath, path.join(REPO, "dist", "kernel", "main.js"), "{connection_file}"],
    display_name: displayName,
    language: "typescript",
    interrupt_mode: "signal",
    env: {},
    metadata: { debugger: false },
  };
}

/** Installs the kernelspec (and the labextension when built); returns what was written. */
export function installKernel(options: InstallOptions = {}): string[] {
  const name = options.name ?? DEFAULT_KERNEL_NAME;
  checkName(name);
  if (options.displayName !== undefined && options.displayName.trim() === "") throw new RangeError("the display name must not be empty");
  if (!existsSync(path.join(REPO, "dist", "kernel", "main.js"))) throw new Error(`the kernel is not built: run "npm run build" in ${REPO}`);
  const data = jupyterDataDir(options.user || options.sysPrefix || options.prefix !== undefined ? options : { user: true });
  const dir = path.join(data, "kernels", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "kernel.json"), `${JSON.stringify(kernelSpec(options.displayName ?? "TypeScript (lima-xai)"), null, 2)}\n`);
  writeFileSync(path.join(dir, "logo-32x32.png"), logo(32));
  writeFileSync(path.join(dir, "logo-64x64.png"), logo(64));
  const written = [dir];
  if (existsSync(path.join(LABEXTENSION, "package.json"))) {
    const target = path.join(data, "labextensions", LABEXTENSION_NAME);
    rmSync(target, { recursive: true, force: true });
    cpSync(LABEXTENSION, target, { recursive: true });
    written.push(target);
  }
  return written;
}

/** Whether a kernelspec in `data` other than `except` runs this package's kernel. */
function otherKernelsOfOurs(data: string, except: string): boolean {
  const kernels = path.join(data, "kernels");
  if (!existsSync(kernels)) return false;
  const main = path.join(REPO, "dist", "kernel", "main.js");
  return readdirSync(kernels).some((name) => {
    if (name === except) return false;
    try {
      const spec = JSON.parse(readFileSync(path.join(kernels, name, "kernel.json"), "utf8")) as { argv?: unknown[] };
      return Array.isArray(spec.argv) && spec.argv.includes(main);
    } catch {
      return false;
    }
  });
}

/** Removes the kernelspec, and the labextension unless another kernelspec of ours remains; returns what was removed. */
export function uninstallKernel(options: InstallOptions = {}): string[] {
  const name = options.name ?? DEFAULT_KERNEL_NAME;
  checkName(name);
  const data = jupyterDataDir(options.user || options.sysPrefix || options.prefix !== undefined ? options : { user: true });
  const removed: string[] = [];
  const dirs = [path.join(data, "kernels", name)];
  if (!otherKernelsOfOurs(data, name)) dirs.push(path.join(data, "labextensions", LABEXTENSION_NAME));
  for (const dir of dirs) {
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
