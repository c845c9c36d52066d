/**
 * Run-time half of "notebooks import lima-xai from anywhere": when Node's own resolution of
 * `lima-xai` (or `lima-xai/…`) fails, the request is resolved inside this package instead. A
 * copy installed in the notebook's own node_modules still wins. The type-check half lives in
 * the tslab adapter ({@link TypeScriptSession}'s package forwarding).
 */
import Module from "node:module";

/** Node's internal resolver; not in @types/node, but stable since Node 0.x and used by many tools. */
interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
}

/** Makes `require(name…)` fall back to `root…` when nothing else provides `name`. */
export function aliasPackage(name: string, root: string): void {
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  internals._resolveFilename = function resolveWithAlias(this: unknown, request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (error) {
      if (request !== name && !request.startsWith(`${name}/`)) throw error;
      return original.call(this, root + request.slice(name.length), parent, isMain, options);
    }
  };
}
