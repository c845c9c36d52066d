import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../support/onnx-graphs";
import { REPO } from "../support/paths";

/** Runs `lima-xai …` (the built CLI) with extra environment. */
function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(REPO, "bin/lima-xai.js"), ...args], { encoding: "utf8", env: { ...process.env, ...env } });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${file} is a PNG`);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test("lima-xai kernel install --prefix DIR writes kernel.json and logos that Jupyter lists", () => {
  const prefix = tempDir("prefix-");
  const r = cli(["kernel", "install", "--prefix", prefix]);
  assert.equal(r.status, 0, r.stderr);
  const dir = path.join(prefix, "share/jupyter/kernels/lima-ts");
  assert.match(r.stdout, new RegExp(`installed ${dir}`));
  const spec = JSON.parse(readFileSync(path.join(dir, "kernel.json"), "utf8"));
  assert.equal(spec.argv[0], process.execPath);
  assert.ok(path.isAbsolute(spec.argv[1]) && existsSync(spec.argv[1]) && spec.argv[1].endsWith(path.join("dist", "kernel", "main.js")));
  assert.equal(spec.argv[2], "{connection_file}");
  assert.equal(spec.display_name, "TypeScript (lima-xai)");
  assert.equal(spec.language, "typescript");
  assert.equal(spec.interrupt_mode, "signal");
  assert.deepEqual(pngSize(path.join(dir, "logo-32x32.png")), [32, 32]);
  assert.deepEqual(pngSize(path.join(dir, "logo-64x64.png")), [64, 64]);
  const list = spawnSync("/usr/bin/jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8", env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share/jupyter") } });
  assert.equal(list.status, 0, list.stderr);
  const found = JSON.parse(list.stdout).kernelspecs["lima-ts"];
  assert.equal(found.resource_dir, dir);
  assert.equal(found.spec.display_name, "TypeScript (lima-xai)");
});

test("lima-xai kernel install --name --display-name, then uninstall removes only that kernel", () => {
  const prefix = tempDir("prefix-");
  assert.equal(cli(["kernel", "install", "--prefix", prefix]).status, 0);
  const r = cli(["kernel", "install", "--prefix", prefix, "--name", "lima-ts-2", "--display-name", "Second"]);
  assert.equal(r.status, 0, r.stderr);
  const kernels = path.join(prefix, "share/jupyter/kernels");
  assert.equal(JSON.parse(readFileSync(path.join(kernels, "lima-ts-2/kernel.json"), "utf8")).display_name, "Second");
  const u = cli(["kernel", "uninstall", "--prefix", prefix, "--name", "lima-ts-2"]);
  assert.equal(u.status, 0, u.stderr);
  assert.match(u.stdout, /removed .*lima-ts-2/);
  assert.ok(!existsSync(path.join(kernels, "lima-ts-2")));
  assert.ok(existsSync(path.join(kernels, "lima-ts/kernel.json")), "the other kernel stays");
  assert.equal(cli(["kernel", "uninstall", "--prefix", prefix]).status, 0);
  assert.ok(!existsSync(path.join(kernels, "lima-ts")));
  assert.match(cli(["kernel", "uninstall", "--prefix", prefix]).stdout, /nothing to remove/);
});

test("lima-xai kernel install --user honours JUPYTER_DATA_DIR", () => {
  const data = tempDir("data-");
  const r = cli(["kernel", "install", "--user"], { JUPYTER_DATA_DIR: data });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(path.join(data, "kernels/lima-ts/kernel.json")));
});

test("lima-xai kernel with bad arguments exits 2 and names the problem", () => {
  const prefix = tempDir("prefix-");
  const cases: [string[], RegExp][] = [
    [["kernel", "install", "--user", "--prefix", prefix], /choose one of --user, --sys-prefix and --prefix DIR/],
    [["kernel", "install", "--prefix", prefix, "--name", "bad name"], /kernel name "bad name" is not allowed: use letters, digits/],
    [["kernel", "install", "--prefix", ""], /--prefix needs a folder/],
    [["kernel", "install", "--prefix", prefix, "--display-name", " "], /display name must not be empty/],
    [["kernel", "install", "extra"], /unexpected argument "extra"/],
    [["kernel", "install", "--bogus"], /bogus/],
    [["kernel", "frobnicate"], /"frobnicate" is not a subcommand: use install or uninstall/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.ok(!existsSync(path.join(prefix, "share")), "nothing was written");
});
