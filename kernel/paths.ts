/**
 * Where the lima-xai package lives, found from this file (compiled: dist/kernel/, or run from
 * source: kernel/), so the kernel works from any working directory.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The package's name, as notebooks import it. */
export const PACKAGE_NAME = "lima-xai";

/** The nearest folder above `from` whose package.json is named `name`. */
export function findPackageRoot(from: string, name = PACKAGE_NAME): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json named ${name} above ${from}`);
  }
}

/** The lima-xai repository (or installed package) root. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** The package's version. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
