#!/usr/bin/env node
// Executes every notebook in notebooks/ in place, saving its outputs, so the committed notebooks
// show their results on a code host. Builds nothing: run `npm run build` first (the kernel
// imports "lima-xai" from the package build, dist/, linked by scripts/link-self.js).
//   1. installs our kernelspec (lima-xai kernel install) into a temporary prefix;
//   2. runs Debian's `jupyter nbconvert --to notebook --execute --inplace` on each notebook, sorted
//      by name, with --ExecutePreprocessor.timeout=300 and
//      --ExecutePreprocessor.store_widget_state=False: nbclient otherwise saves the widget state in
//      the notebook, and nbconvert's HTML (and other viewers) then pick the widget view, an empty
//      box without our extension, over the explorer's text and static snapshot;
//      a widget state saved by an earlier run is removed from the notebook first;
//   3. prints the seconds each notebook took; exits 1 when any failed (the others still run).
// The data comes from $LIMA_XAI_DATA (default ../shared/data beside the repository; src/notebooks/data.ts).
// Usage: npm run notebooks [-- NAME…]   (names or files of notebooks/ to run; default all)
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const repo = path.resolve(__dirname, "..");
const dir = path.join(repo, "notebooks");
const jupyter = process.env.LIMA_XAI_JUPYTER ?? "/usr/bin/jupyter";

function fail(message) {
  console.error(`run-notebooks: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(path.join(repo, "dist", "src", "index.js"))) fail("dist/src/index.js is missing: run `npm run build` first");
if (!fs.existsSync(jupyter)) fail(`${jupyter} is missing: install Debian's jupyter-nbconvert (bash scripts/install-test-deps.sh)`);
const all = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
const asked = process.argv.slice(2).map((a) => path.basename(a));
const unknown = asked.filter((a) => !all.includes(a));
if (unknown.length > 0) fail(`no notebook ${unknown.map((u) => JSON.stringify(u)).join(", ")} in notebooks/: use one of ${all.join(", ")}`);
const notebooks = asked.length > 0 ? all.filter((f) => asked.includes(f)) : all;
if (notebooks.length === 0) fail("notebooks/ holds no .ipynb");

const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "lima-notebooks-"));
process.on("exit", () => fs.rmSync(prefix, { recursive: true, force: true }));
const install = spawnSync(process.execPath, [path.join(repo, "bin", "lima-xai.js"), "kernel", "install", "--prefix", prefix], { encoding: "utf8" });
if (install.status !== 0) fail(`installing the kernelspec failed:\n${install.stderr}`);
const env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") };

/** A widget state saved by an earlier run (without store_widget_state=False) names models that no longer exist: it goes. */
function dropWidgetState(file) {
  const nb = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!nb.metadata || !nb.metadata.widgets) return;
  delete nb.metadata.widgets;
  fs.writeFileSync(file, `${JSON.stringify(nb, null, 1)}\n`);
}

const failed = [];
for (const name of notebooks) {
  dropWidgetState(path.join(dir, name));
  const t0 = Date.now();
  const r = spawnSync(
    jupyter,
    ["nbconvert", "--to", "notebook", "--execute", "--inplace", "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.store_widget_state=False", path.join(dir, name)],
    { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) console.log(`${name}: ${seconds} s`);
  else {
    failed.push(name);
    console.log(`${name}: FAILED after ${seconds} s (exit ${r.status ?? r.signal})`);
    process.stderr.write(`${(r.stderr ?? "").slice(-4000)}\n`);
  }
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
if (failed.length > 0) fail(`${failed.length} of ${notebooks.length} notebook(s) failed: ${failed.join(", ")}`);
