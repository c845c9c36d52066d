// Makes `import … from "lima-xai"` resolve inside this repository (notebooks/, the kernel's cells):
// node_modules/lima-xai → the repository root. Run by `npm run build` (and so by npm ci).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const link = path.join(__dirname, "..", "node_modules", "lima-xai");
try {
  const stat = fs.lstatSync(link);
  if (stat.isSymbolicLink()) process.exit(0);
  process.stderr.write(`link-self: ${link} exists and is not a link; leaving it\n`);
  process.exit(0);
} catch {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync("..", link, "dir");
}
