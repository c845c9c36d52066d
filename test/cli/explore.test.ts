import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { METHODS } from "../../src/methods/registry";
import { REGIONS } from "../../src/params/lima";
import { tempDir } from "../support/onnx-graphs";
import { IMAGENET, MODELS, PHOTOS, REPO } from "../support/paths";

const BIN = path.join(REPO, "bin/lima-xai.js");
const env = { ...process.env, LIMA_XAI_MODELS: MODELS };
const explore = (...args: string[]) => spawnSync(process.execPath, [BIN, "explore", "--model", "squeezenet1.1-fp32", ...args], { encoding: "utf8", env });
const PELICAN = path.join(PHOTOS, "pelican.jpeg");

test("lima-xai explore: bad flags are usage errors naming the value and what is allowed (ranges from the schema)", () => {
  const missing = explore("--image", "no-such.jpg");
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--image .*no-such\.jpg is not a file/);
  const regions = REGIONS;
  for (const bad of [regions.min - 1, regions.max + 1]) {
    const r = explore("--image", PELICAN, "--regions", String(bad));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`--regions "${bad}" is not allowed: use an integer in ${regions.min}\\.\\.${regions.max}`));
  }
  const method = explore("--image", PELICAN, "--method", "gradcam");
  assert.equal(method.status, 2);
  assert.match(method.stderr, new RegExp(`--method "gradcam" is not allowed: use one of ${METHODS.map((m) => m.name).join(", ")}`));
  const same = explore("--image", PELICAN, "--method", "rise", "--compare", "rise");
  assert.equal(same.status, 2);
  assert.match(same.stderr, /--compare rise is the method itself/);
  const device = explore("--image", PELICAN, "--device", "tpu");
  assert.equal(device.status, 2);
  assert.match(device.stderr, /--device "tpu" is not allowed: use one of cpu, cuda/);
  const both = explore("--image", PELICAN, "--images", PHOTOS);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /not both/);
  const empty = tempDir("lima-explore-empty-");
  mkdirSync(path.join(empty, "sub"));
  const none = explore("--images", empty);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /holds no photos/);
});

test("lima-xai explore --images DIR --method rise --compare lima --device cpu: the page gets ONE JSON request, the server serves it; Ctrl-C stops it", async () => {
  const child = spawn(process.execPath, [BIN, "explore", "--model", "squeezenet1.1-fp32", "--images", IMAGENET, "--method", "rise", "--compare", "lima", "--regions", "16", "--device", "cpu"], { env });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/http:\/\/\S+/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  const url = out.match(/http:\/\/\S+/)?.[0];
  try {
    assert.ok(url, `a URL is printed: ${out}`);
    const query = new URL(url!).searchParams;
    assert.match(query.get("token") ?? "", /^[0-9a-f]{32}$/);
    assert.deepEqual([...query.keys()].sort(), ["request", "token"], "the settings travel as one value");
    assert.deepEqual(JSON.parse(query.get("request")!), {
      model: "squeezenet1.1-fp32",
      images: [IMAGENET],
      device: "cpu",
      settings: { method: "rise", compare: "lima", division: { regions: 16 } },
    });
    const page = await fetch(url!);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /bundle\/page\.js/);
    const api = await fetch(new URL("/api/kernelspecs", url!));
    assert.equal(api.status, 403, "the API needs the token");
    const token = query.get("token")!;
    const specs = (await (await fetch(new URL("/api/kernelspecs", url!), { headers: { Authorization: `token ${token}` } })).json()) as { kernelspecs: Record<string, unknown> };
    assert.ok("lima-ts" in specs.kernelspecs, "the server knows our kernel");
  } finally {
    child.kill("SIGINT");
  }
  assert.equal(await exited, 0);
  await assert.rejects(fetch(url!), "the server is gone");
});
