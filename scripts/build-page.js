#!/usr/bin/env node
// Bundles the stand-alone explorer page (widgets/page/main.ts → widgets/page/bundle/page.js):
// @jupyterlab/services, @jupyter-widgets/html-manager and our widget module, for a browser.
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");

const repo = path.resolve(__dirname, "..");
const t0 = Date.now();
esbuild.buildSync({
  entryPoints: [path.join(repo, "widgets/page/main.ts")],
  outfile: path.join(repo, "widgets/page/bundle/page.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  minify: true,
  // html-manager's dependencies expect webpack's public path and import CSS and SVG files.
  banner: { js: "var __webpack_public_path__='';" },
  loader: { ".css": "empty", ".svg": "text" },
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
console.log(`build-page: widgets/page/bundle/page.js (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
