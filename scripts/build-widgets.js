#!/usr/bin/env node
// Builds the widget front-end (widgets/src) and the JupyterLab 4 prebuilt extension
// (widgets/labextension) with npm-only tools:
//   1. type-check widgets/src (strict, DOM) with tsc;
//   2. bundle widgets/src/{index,plugin}.ts to widgets/lib with esbuild (ESM; @jupyter-widgets/base
//      and plotly stay imports, so the extension shares base with JupyterLab);
//   3. @jupyterlab/builder's build-labextension, with the core metadata of @jupyterlab/core-meta
//      as --core-path, writes widgets/labextension (static/remoteEntry.<hash>.js).
// Usage: node scripts/build-widgets.js [--dev]
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const repo = path.resolve(__dirname, "..");
const widgets = path.join(repo, "widgets");
const dev = process.argv.includes("--dev");

function step(name, fn) {
  const t0 = Date.now();
  fn();
  console.log(`build-widgets: ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: repo, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build-widgets: ${what} failed (exit ${r.status})`);
    process.exit(r.status || 1);
  }
}

step("type check", () => run([require.resolve("typescript/bin/tsc"), "-p", path.join(widgets, "tsconfig.json")], "tsc -p widgets/tsconfig.json"));

step("bundle widgets/lib", () => {
  const esbuild = require("esbuild");
  fs.rmSync(path.join(widgets, "lib"), { recursive: true, force: true });
  const common = { bundle: true, format: "esm", platform: "browser", target: "es2020", sourcemap: dev, logLevel: "warning" };
  const external = ["@jupyter-widgets/base", "plotly.js-dist-min"];
  esbuild.buildSync({ ...common, entryPoints: [path.join(widgets, "src/index.ts")], outfile: path.join(widgets, "lib/index.js"), external });
  // The plugin imports the widgets module as it is (./index), so the extension holds one copy of it.
  esbuild.buildSync({ ...common, entryPoints: [path.join(widgets, "src/plugin.ts")], outfile: path.join(widgets, "lib/plugin.js"), external: [...external, "./index"] });
});

step("labextension", () => {
  const core = fs.mkdtempSync(path.join(os.tmpdir(), "lima-core-"));
  try {
    fs.copyFileSync(require.resolve("@jupyterlab/core-meta/core.package.json"), path.join(core, "package.json"));
    fs.rmSync(path.join(widgets, "labextension"), { recursive: true, force: true });
    const builder = require.resolve("@jupyterlab/builder/lib/build-labextension.js");
    run([builder, ...(dev ? ["--development"] : []), "--core-path", core, widgets], "build-labextension");
  } finally {
    fs.rmSync(core, { recursive: true, force: true });
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(widgets, "labextension/package.json"), "utf8"));
  const entry = pkg.jupyterlab?._build?.load;
  if (!entry || !fs.existsSync(path.join(widgets, "labextension", entry))) {
    console.error(`build-widgets: labextension/package.json names no existing remoteEntry (${entry})`);
    process.exit(1);
  }
});
