import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { MODELS, PHOTOS, REPO } from "../support/paths";

const BIN = path.join(REPO, "bin/lima-xai.js");
const env = { ...process.env, LIMA_XAI_MODELS: MODELS };

test("lima-xai explore: bad flags are usage errors naming the value", () => {
  const missing = spawnSync(process.execPath, [BIN, "explore", "--model", "squeezenet1.1-fp32", "--image", "no-such.jpg"], { encoding: "utf8", env });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--image .*no-such\.jpg is not a file/);
  const regions = spawnSync(process.execPath, [BIN, "explore", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--regions", "1"], { encoding: "utf8", env });
  assert.equal(regions.status, 2);
  assert.match(regions.stderr, /--regions/);
});

test("lima-xai explore prints a URL that serves the page; Ctrl-C stops the server", async () => {
  const child = spawn(process.execPath, [BIN, "explore", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--regions", "16"], { env });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/http:\/\/\S+/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  const url = out.match(/http:\/\/\S+/)?.[0];
  try {
    assert.ok(url, `a URL is printed: ${out}`);
    assert.match(url!, /\/static\/index\.html\?token=[0-9a-f]{32}&model=squeezenet1\.1-fp32&image=/);
    const page = await fetch(url!);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /bundle\/page\.js/);
    const api = await fetch(new URL("/api/kernelspecs", url!));
    assert.equal(api.status, 403, "the API needs the token");
    const token = new URL(url!).searchParams.get("token")!;
    const specs = (await (await fetch(new URL("/api/kernelspecs", url!), { headers: { Authorization: `token ${token}` } })).json()) as { kernelspecs: Record<string, unknown> };
    assert.ok("lima-ts" in specs.kernelspecs, "the server knows our kernel");
  } finally {
    child.kill("SIGINT");
  }
  assert.equal(await exited, 0);
  await assert.rejects(fetch(url!), "the server is gone");
});
