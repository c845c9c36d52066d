#!/usr/bin/env node
"use strict";
// The lima-xai command: runs the compiled composition root app/main.ts (npm ci builds dist/ through the prepare script).
const path = require("node:path");
let main;
try {
  ({ main } = require(path.join(__dirname, "..", "dist", "app", "main.js")));
} catch (error) {
  process.stderr.write(`lima-xai: the library is not built (${error.message.split("\n")[0]}); run "npm run build" in ${path.join(__dirname, "..")}\n`);
  process.exit(1);
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lima-xai: ${error && error.message ? error.message : error}\n`);
    process.exit(1);
  },
);
