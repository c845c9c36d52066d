import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { build } from "esbuild";
import { SNAPSHOT_CLASS, WIDGET_MODULE, WIDGET_MODULE_RANGE, WIDGET_MODULE_VERSION } from "../../src/widgets/protocol";
import { tempDir } from "../support/onnx-graphs";
import { REPO } from "../support/paths";

// What scripts/build-widgets.js (part of `npm run build`) leaves in widgets/, and what
// `lima-xai kernel install` makes of it.
const WIDGETS = path.join(REPO, "widgets");
const LABEXTENSION = path.join(WIDGETS, "labextension");

interface LabPackage {
  name: string;
  version: string;
  jupyterlab: { _build?: { load: string; extension?: string }; sharedPackages?: Record<string, { bundled?: boolean; singleton?: boolean }> };
}

function labPackage(dir: string): LabPackage {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
}

/** The static scripts of the built extension, by file name. */
function staticScripts(): Map<string, string> {
  const dir = path.join(LABEXTENSION, "static");
  return new Map(readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => [f, readFileSync(path.join(dir, f), "utf8")]));
}

/** Whether `version` satisfies a caret range `^X.Y.Z` (npm semantics, including 0.x). */
function satisfiesCaret(version: string, range: string): boolean {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  assert.ok(m && v, `a caret range and a plain version: ${range}, ${version}`);
  const [r0, r1, r2] = m.slice(1).map(Number);
  const [v0, v1, v2] = v.slice(1).map(Number);
  const atLeast = v0 !== r0 ? v0 > r0 : v1 !== r1 ? v1 > r1 : v2 >= r2;
  if (r0 > 0) return atLeast && v0 === r0;
  if (r1 > 0) return atLeast && v0 === 0 && v1 === r1;
  return v0 === 0 && v1 === 0 && v2 === r2;
}

test("satisfiesCaret(version, range) follows npm's caret rules", () => {
  assert.ok(satisfiesCaret("0.1.0", "^0.1.0"));
  assert.ok(satisfiesCaret("0.1.7", "^0.1.0"));
  assert.ok(!satisfiesCaret("0.2.0", "^0.1.0"));
  assert.ok(!satisfiesCaret("0.0.9", "^0.1.0"));
  assert.ok(satisfiesCaret("6.3.0", "^6.0.12"));
  assert.ok(!satisfiesCaret("7.0.0", "^6.0.12"));
});

test("the build produced a JupyterLab 4 prebuilt extension: package.json names an existing static/remoteEntry", () => {
  assert.ok(existsSync(path.join(LABEXTENSION, "package.json")), "npm run build writes widgets/labextension (scripts/build-widgets.js)");
  const pkg = labPackage(LABEXTENSION);
  assert.equal(pkg.name, WIDGET_MODULE);
  assert.equal(pkg.version, WIDGET_MODULE_VERSION);
  assert.ok(satisfiesCaret(WIDGET_MODULE_VERSION, WIDGET_MODULE_RANGE), `the kernel asks for ${WIDGET_MODULE_RANGE}, the front-end registers ${WIDGET_MODULE_VERSION}`);
  assert.deepEqual(pkg.jupyterlab.sharedPackages?.["@jupyter-widgets/base"], { bundled: false, singleton: true });
  const load = pkg.jupyterlab._build?.load ?? "";
  assert.match(load, /^static\/remoteEntry\.[0-9a-f]+\.js$/);
  assert.ok(existsSync(path.join(LABEXTENSION, load)), `${load} exists`);
  assert.equal(pkg.jupyterlab._build?.extension, "./extension", "the plugin is exposed");
  const remotes = readdirSync(path.join(LABEXTENSION, "static")).filter((f) => f.startsWith("remoteEntry."));
  assert.deepEqual(remotes, [path.basename(load)], "one remoteEntry, the one package.json names (no stale ones)");
});

test("the remoteEntry is the federated container lima-xai-widgets and takes @jupyter-widgets/base ^6 from JupyterLab's singleton", () => {
  const load = labPackage(LABEXTENSION).jupyterlab._build?.load ?? "";
  const entry = readFileSync(path.join(LABEXTENSION, load), "utf8");
  assert.match(entry, /_JUPYTERLAB\)\["lima-xai-widgets"\] = __webpack_exports__/, "registers itself as _JUPYTERLAB['lima-xai-widgets']");
  assert.match(entry, /register\("lima-xai-widgets", "0\.1\.0"/, "shares its own module at the registered version");
  assert.match(entry, /loadSingletonVersion\("default", "@jupyter-widgets\/base", false, \[1,6,/, "consumes base ^6 as a singleton");
  assert.match(entry, /moduleMap = \{[\s\S]*"\.\/extension"/);
});

test("the extension's chunks register the explorer under lima-xai-widgets, bring plotly.js and leave base out", () => {
  const scripts = staticScripts();
  const chunks = [...scripts].filter(([name]) => !name.startsWith("remoteEntry."));
  assert.ok(chunks.some(([, c]) => c.includes("registerWidget") && c.includes('"lima-xai-widgets"') && c.includes("ExplorerView")), "a chunk registers ExplorerView with the widget registry under the module name");
  assert.ok(chunks.some(([, c]) => c.includes("plotly.js v")), "plotly.js travels with the extension");
  for (const [name, code] of scripts) {
    assert.ok(!/Backbone\.VERSION|class WidgetModel extends/.test(code), `${name} must not bundle @jupyter-widgets/base or backbone`);
  }
});

test("widgets/lib/plugin.js is a JupyterLab plugin: id, autoStart, requires IJupyterWidgetRegistry, registers ExplorerModel and ExplorerView", async () => {
  // Bundle the built plugin for Node with a stand-in for @jupyter-widgets/base (a token) and for
  // ./index (marked classes), then activate it against a recording registry.
  const TOKEN = "@jupyter-widgets/base:IJupyterWidgetRegistry";
  const out = await build({
    entryPoints: [path.join(WIDGETS, "lib/plugin.js")],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    logLevel: "silent",
    plugins: [
      {
        name: "stubs",
        setup(b) {
          b.onResolve({ filter: /^(@jupyter-widgets\/base|\.\/index)$/ }, (args) => ({ path: args.path, namespace: "stub" }));
          b.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({
            contents:
              args.path === "./index"
                ? "export class ExplorerModel {}; export class ExplorerView {}; export const marker = 'stub index';"
                : `export const IJupyterWidgetRegistry = { name: ${JSON.stringify(TOKEN)} };`,
            loader: "js",
          }));
        },
      },
    ],
  });
  const module = { exports: {} as { default?: unknown } };
  // A recording stand-in for the page's document: the plugin adds the style that hides the explorer's snapshot.
  const head: { id: string; textContent: string }[] = [];
  const fakeDocument = {
    getElementById: (id: string) => head.find((e) => e.id === id) ?? null,
    createElement: (tag: string) => (assert.equal(tag, "style"), { id: "", textContent: "" }),
    head: { appendChild: (e: { id: string; textContent: string }) => head.push(e) },
  };
  new Function("module", "exports", "document", out.outputFiles[0].text)(module, module.exports, fakeDocument);
  const plugin = module.exports.default as { id: string; autoStart: boolean; requires: { name: string }[]; activate: (app: unknown, registry: unknown) => unknown };
  assert.equal(plugin.id, "lima-xai-widgets:plugin");
  assert.equal(plugin.autoStart, true);
  assert.deepEqual(plugin.requires.map((t) => t.name), [TOKEN]);
  const registered: { name: string; version: string; exports: unknown }[] = [];
  plugin.activate({}, { registerWidget: (data: { name: string; version: string; exports: unknown }) => registered.push(data) });
  assert.equal(registered.length, 1);
  assert.equal(registered[0].name, WIDGET_MODULE);
  assert.equal(registered[0].version, WIDGET_MODULE_VERSION);
  const exports = registered[0].exports;
  const resolved = (typeof exports === "function" ? await exports() : await exports) as Record<string, unknown>;
  assert.equal((resolved.ExplorerModel as { name?: string }).name, "ExplorerModel");
  assert.equal((resolved.ExplorerView as { name?: string }).name, "ExplorerView");
  assert.deepEqual(head.map((e) => e.textContent), [`.jp-OutputArea-child:has(.${SNAPSHOT_CLASS}) { display: none; }`], "the style hiding the static snapshot");
  plugin.activate({}, { registerWidget: () => undefined });
  assert.equal(head.length, 1, "added once");
});

/** Runs `lima-xai kernel <args> --prefix <prefix>` (the built CLI). */
function kernelCli(prefix: string, args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO, "bin/lima-xai.js"), "kernel", ...args, "--prefix", prefix], { encoding: "utf8" });
  assert.equal(r.status, 0, `kernel ${args.join(" ")}: ${r.stderr}`);
  return r;
}

test("lima-xai kernel install --prefix also installs the labextension (replacing a stale one); uninstall removes both", () => {
  const prefix = tempDir("prefix-");
  const target = path.join(prefix, "share/jupyter/labextensions", WIDGET_MODULE);
  mkdirSync(path.join(target, "static"), { recursive: true });
  writeFileSync(path.join(target, "static", "remoteEntry.0000dead.js"), "// stale");
  const installed = kernelCli(prefix, ["install"]);
  assert.match(installed.stdout, new RegExp(`installed ${target}`));
  const pkg = labPackage(target);
  assert.equal(pkg.name, WIDGET_MODULE);
  assert.ok(existsSync(path.join(target, pkg.jupyterlab._build!.load)), "the remoteEntry is copied");
  assert.deepEqual(readdirSync(path.join(target, "static")).sort(), readdirSync(path.join(LABEXTENSION, "static")).sort(), "the same files, the stale remoteEntry gone");
  kernelCli(prefix, ["uninstall"]);
  assert.ok(!existsSync(target));
  assert.ok(!existsSync(path.join(prefix, "share/jupyter/kernels/lima-ts")));
});

test("lima-xai kernel uninstall keeps the labextension while another lima-xai kernelspec uses it", () => {
  const prefix = tempDir("prefix-");
  const target = path.join(prefix, "share/jupyter/labextensions", WIDGET_MODULE);
  kernelCli(prefix, ["install"]);
  kernelCli(prefix, ["install", "--name", "lima-ts-2"]);
  kernelCli(prefix, ["uninstall", "--name", "lima-ts-2"]);
  assert.ok(existsSync(path.join(target, "package.json")), "lima-ts still needs it");
  kernelCli(prefix, ["uninstall"]);
  assert.ok(!existsSync(target));
});
