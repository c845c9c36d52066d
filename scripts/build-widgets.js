#!/usr/bin/env node
// Builds the widget front-end (widgets/src) and the JupyterLab 4 prebuilt extension
// (widgets/labextension) with npm-only tools:
//   1. type-check widgets/src (strict, DOM) with tsc -p widgets/tsconfig.json (incremental);
//   2. bundle widgets/src/{index,plugin,mime}.ts to widgets/lib with esbuild (ESM, es2020; the
//      relative ../../src/widgets/protocol is inlined, @jupyter-widgets/base, @lumino/widgets and
//      plotly stay imports for webpack; plugin.js imports ./index, so the extension holds one
//      copy of it; mime.js is the plotly figure renderer, JupyterLab's "mimeExtension");
//   3. @jupyterlab/builder's build-labextension, with the core metadata of @jupyterlab/core-meta
//      as --core-path, writes widgets/labextension (package.json + static/remoteEntry.<hash>.js);
//      @jupyter-widgets/base is consumed from JupyterLab's shared scope as a singleton, plotly.js
//      is bundled (widgets/webpack.config.js skips re-parsing and re-minifying it).
// Packages resolve from the repository's node_modules (webpack and Node look upwards from
// widgets/), so widgets/ needs no install of its own.
// Usage: node scripts/build-widgets.js [--dev] [--verbose]
//   --dev      development mode (unminified, source maps)
//   --verbose  show webpack's full report (otherwise shown only when it fails)
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const repo = path.resolve(__dirname, "..");
const widgets = path.join(repo, "widgets");
const labextension = path.join(widgets, "labextension");
const args = process.argv.slice(2);
const known = ["--dev", "--verbose"];
const unknown = args.filter((a) => !known.includes(a));
if (unknown.length > 0) fail(`unknown argument ${JSON.stringify(unknown[0])}: use ${known.join(", ")}`);
const dev = args.includes("--dev");
const verbose = args.includes("--verbose");

function fail(message) {
  console.error(`build-widgets: ${message}`);
  process.exit(1);
}

/** require.resolve with an error that says what to install. */
function resolve(request) {
  try {
    return require.resolve(request, { paths: [repo] });
  } catch {
    return fail(`cannot find ${request}: run "npm ci" in ${repo} (it is a devDependency)`);
  }
}

function step(name, fn) {
  const t0 = Date.now();
  fn();
  console.log(`build-widgets: ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/** Runs a Node script; its output is shown when it fails (or always, with `show`). */
function run(script, scriptArgs, what, { cwd = repo, show = false } = {}) {
  const r = spawnSync(process.execPath, [script, ...scriptArgs], {
    cwd,
    encoding: "utf8",
    stdio: show ? "inherit" : "pipe",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) fail(`${what} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    if (!show) process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}`);
    fail(`${what} failed (exit ${r.status ?? r.signal})`);
  }
}

const t0 = Date.now();
for (const entry of ["src/index.ts", "src/plugin.ts", "src/mime.ts", "package.json", "tsconfig.json"]) {
  if (!fs.existsSync(path.join(widgets, entry))) fail(`widgets/${entry} is missing`);
}
const tsc = resolve("typescript/bin/tsc");
const esbuild = require(resolve("esbuild"));
const builder = resolve("@jupyterlab/builder/lib/build-labextension.js");
const coreMeta = resolve("@jupyterlab/core-meta/core.package.json");

step("type check (tsc -p widgets/tsconfig.json)", () => run(tsc, ["-p", path.join(widgets, "tsconfig.json")], "type check of widgets/ (tsc -p widgets/tsconfig.json)", { show: true }));

step("bundle widgets/lib (esbuild)", () => {
  fs.rmSync(path.join(widgets, "lib"), { recursive: true, force: true });
  const common = { bundle: true, format: "esm", platform: "browser", target: "es2020", sourcemap: dev, logLevel: "error" };
  const external = ["@jupyter-widgets/base", "@lumino/widgets", "plotly.js-dist-min"];
  try {
    esbuild.buildSync({ ...common, entryPoints: [path.join(widgets, "src/index.ts")], outfile: path.join(widgets, "lib/index.js"), external });
    esbuild.buildSync({ ...common, entryPoints: [path.join(widgets, "src/plugin.ts")], outfile: path.join(widgets, "lib/plugin.js"), external: [...external, "./index"] });
    esbuild.buildSync({ ...common, entryPoints: [path.join(widgets, "src/mime.ts")], outfile: path.join(widgets, "lib/mime.js"), external });
  } catch {
    fail("esbuild could not bundle widgets/src (errors above)");
  }
});

step(`labextension (@jupyterlab/builder, ${dev ? "development" : "production"})`, () => {
  const core = fs.mkdtempSync(path.join(os.tmpdir(), "lima-xai-core-"));
  try {
    fs.copyFileSync(coreMeta, path.join(core, "package.json"));
    fs.rmSync(labextension, { recursive: true, force: true });
    // cwd widgets/: webpack names the chunk-loading global after the nearest package.json (lima-xai-widgets).
    run(builder, [...(dev ? ["--development"] : []), "--core-path", core, widgets], "build-labextension", { cwd: widgets, show: verbose });
  } finally {
    fs.rmSync(core, { recursive: true, force: true });
  }
});

// The result JupyterLab loads: package.json → jupyterlab._build.load → static/remoteEntry.<hash>.js.
let pkg;
try {
  pkg = JSON.parse(fs.readFileSync(path.join(labextension, "package.json"), "utf8"));
} catch (e) {
  fail(`widgets/labextension/package.json is missing or unreadable: ${e.message}`);
}
const load = pkg.jupyterlab?._build?.load;
if (typeof load !== "string" || !/^static\/remoteEntry\.[0-9a-f]+\.js$/.test(load) || !fs.existsSync(path.join(labextension, load))) {
  fail(`widgets/labextension/package.json names no existing static/remoteEntry.<hash>.js (jupyterlab._build.load = ${JSON.stringify(load)})`);
}
const staticDir = path.join(labextension, "static");
const scripts = fs.readdirSync(staticDir).filter((f) => f.endsWith(".js"));
const size = (f) => fs.statSync(path.join(staticDir, f)).size;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const total = scripts.reduce((sum, f) => sum + size(f), 0);
console.log(
  `build-widgets: widgets/labextension: ${load} ${kib(size(path.basename(load)))}, ` +
    `${scripts.length - 1} more scripts, ${kib(total)} in all ` +
    `(largest ${scripts.filter((f) => !load.endsWith(f)).sort((a, b) => size(b) - size(a)).map((f) => `${f} ${kib(size(f))}`)[0] ?? "none"})`,
);
console.log(`build-widgets: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
