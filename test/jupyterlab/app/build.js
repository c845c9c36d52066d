#!/usr/bin/env node
// Builds the harness's JupyterLab front end when it is missing, and reuses it otherwise:
//   1. `npm ci` into test/jupyterlab/app/node_modules when its stamp does not match the hash of
//      package-lock.json (so the pinned versions are what gets installed);
//   2. webpack (webpack.config.js) into node_modules/.cache/lima-jl/<key>, where <key> hashes the
//      lockfile and the harness's own build inputs; a finished build leaves build.json there, and a
//      later run with the same key skips the build.
// Prints one JSON line last: { out, key, installS, buildS, cached }.
// Usage: node test/jupyterlab/app/build.js [--force]
"use strict";
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const here = __dirname;
const force = process.argv.includes("--force");
const unknown = process.argv.slice(2).filter((a) => a !== "--force");
if (unknown.length > 0) fail(`unknown argument ${JSON.stringify(unknown[0])}: use --force`);

function fail(message) {
  console.error(`jupyterlab harness: ${message}`);
  process.exit(1);
}

function sha256(files) {
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${path.relative(here, file)}\0`).update(fs.readFileSync(file));
  return hash.digest("hex").slice(0, 16);
}

const lock = path.join(here, "package-lock.json");
const nodeModules = path.join(here, "node_modules");
const stamp = path.join(nodeModules, ".lima-lock-sha256");
const lockHash = sha256([lock]);

let installS = 0;
if (force || !fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== lockHash) {
  const t0 = Date.now();
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  console.log("jupyterlab harness: npm ci (pinned JupyterLab packages) …");
  const r = spawnSync(npm, ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: here, stdio: "inherit" });
  if (r.error) fail(`npm ci could not start: ${r.error.message}`);
  if (r.status !== 0) fail(`npm ci failed in ${here} (exit ${r.status ?? r.signal})`);
  fs.writeFileSync(stamp, lockHash);
  installS = (Date.now() - t0) / 1000;
}

const inputs = [lock, path.join(here, "package.json"), path.join(here, "webpack.config.js"), ...fs.readdirSync(path.join(here, "src")).sort().map((f) => path.join(here, "src", f))];
const key = sha256(inputs);
const out = path.join(nodeModules, ".cache", "lima-jl", key);
const done = path.join(out, "build.json");
if (!force && fs.existsSync(done)) {
  console.log(JSON.stringify({ out, key, installS, buildS: 0, cached: true, built: JSON.parse(fs.readFileSync(done, "utf8")) }));
  process.exit(0);
}

// Other keys' builds are stale: keep only this one.
fs.rmSync(path.dirname(out), { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const t0 = Date.now();
console.log(`jupyterlab harness: webpack → ${path.relative(process.cwd(), out)} …`);
// webpack's API directly (no webpack-cli): run the config, print errors, keep the stats short.
const script = `
  const webpack = require(${JSON.stringify(path.join(nodeModules, "webpack"))});
  const config = require(${JSON.stringify(path.join(here, "webpack.config.js"))});
  webpack(config, (err, stats) => {
    if (err) { console.error(err.stack || err); process.exit(1); }
    const info = stats.toJson({ all: false, errors: true, warnings: false, assets: false });
    if (stats.hasErrors()) { for (const e of info.errors) console.error(e.message); process.exit(1); }
  });`;
const r = spawnSync(process.execPath, ["--max-old-space-size=4096", "-e", script], { cwd: here, stdio: "inherit", env: { ...process.env, LIMA_JL_OUT: out } });
if (r.status !== 0) {
  fs.rmSync(out, { recursive: true, force: true });
  fail(`webpack failed (exit ${r.status ?? r.signal})`);
}
const buildS = (Date.now() - t0) / 1000;
const built = { key, seconds: buildS, at: new Date().toISOString(), node: process.version };
fs.writeFileSync(done, JSON.stringify(built));
console.log(JSON.stringify({ out, key, installS, buildS, cached: false, built }));
