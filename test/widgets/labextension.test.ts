import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { WIDGET_MODULE, WIDGET_MODULE_VERSION } from "../../src/widgets/protocol";
import { tempDir } from "../support/onnx-graphs";
import { REPO } from "../support/paths";

const LABEXTENSION = path.join(REPO, "widgets", "labextension");

interface LabPackage {
  name: string;
  version: string;
  jupyterlab: { _build?: { load: string; extension?: string }; sharedPackages?: Record<string, { bundled?: boolean; singleton?: boolean }> };
}

function labPackage(dir: string): LabPackage {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
}

test("the build produced a JupyterLab 4 prebuilt extension: package.json names an existing static/remoteEntry", () => {
  assert.ok(existsSync(path.join(LABEXTENSION, "package.json")), "npm run build writes widgets/labextension (scripts/build-widgets.js)");
  const pkg = labPackage(LABEXTENSION);
  assert.equal(pkg.name, WIDGET_MODULE);
  assert.equal(pkg.version, WIDGET_MODULE_VERSION, "the version the kernel's ^range asks for");
  const load = pkg.jupyterlab._build?.load ?? "";
  assert.match(load, /^static\/remoteEntry\.[0-9a-f]+\.js$/);
  assert.equal(pkg.jupyterlab._build?.extension, "./extension", "the plugin is exposed");
  const entry = readFileSync(path.join(LABEXTENSION, load), "utf8");
  assert.match(entry, /loadSingletonVersion\("default", "@jupyter-widgets\/base"/, "@jupyter-widgets/base is consumed as JupyterLab's singleton, not bundled");
  assert.match(entry, /moduleMap = \{[\s\S]*"\.\/extension"/);
  const chunks = readdirSync(path.join(LABEXTENSION, "static")).filter((f) => f.endsWith(".js"));
  const code = chunks.map((f) => readFileSync(path.join(LABEXTENSION, "static", f), "utf8"));
  assert.ok(code.some((c) => c.includes("registerWidget") && c.includes("ExplorerView")), "a chunk registers the explorer with the widget registry");
  assert.ok(code.some((c) => c.includes("plotly")), "plotly.js travels with the extension");
});

test("lima-xai kernel install --prefix also installs the labextension; uninstall removes both", () => {
  const prefix = tempDir("prefix-");
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(REPO, "bin/lima-xai.js"), "kernel", ...args, "--prefix", prefix], { encoding: "utf8" });
  const installed = cli(["install"]);
  assert.equal(installed.status, 0, installed.stderr);
  const target = path.join(prefix, "share/jupyter/labextensions", WIDGET_MODULE);
  const pkg = labPackage(target);
  assert.ok(existsSync(path.join(target, pkg.jupyterlab._build!.load)), "the remoteEntry is copied");
  assert.deepEqual(readdirSync(path.join(target, "static")).sort(), readdirSync(path.join(LABEXTENSION, "static")).sort());
  const removed = cli(["uninstall"]);
  assert.equal(removed.status, 0, removed.stderr);
  assert.ok(!existsSync(target));
  assert.ok(!existsSync(path.join(prefix, "share/jupyter/kernels/lima-ts")));
});
