import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
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

test("lima-xai explore --regions-from: the page's request carries the label image (or folder); conflicts and missing label images are usage errors", async () => {
  const { parseExploreFlags } = await import("../../src/cli/explore");
  const dir = tempDir("lima-explore-labels-");
  const label = path.join(dir, "quadrants.png");
  const { default: sharp } = await import("sharp");
  await sharp(Buffer.from([0, 1, 2, 3]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(label);
  const { request } = parseExploreFlags(["--model", "squeezenet1.1-fp32", "--image", PELICAN, "--regions-from", label]);
  assert.equal(request.regionsFrom, label);
  assert.equal(request.settings?.division, undefined, "no division settings: the label image gives the regions");
  // A folder needs one label image per photo, by name stem.
  const folder = path.join(dir, "labels");
  mkdirSync(folder);
  await sharp(Buffer.from([0, 1, 2, 3]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(path.join(folder, "n01440764_tench.png"));
  const missing = explore("--images", IMAGENET, "--regions-from", folder);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /--regions-from .*labels has no label image for n01443537_goldfish\.JPEG \(expected n01443537_goldfish\.png/);
  const conflict = explore("--image", PELICAN, "--regions-from", label, "--regions", "16");
  assert.equal(conflict.status, 2);
  assert.match(conflict.stderr, /--regions-from gives the regions itself: leave out --regions/);
  const none = explore("--image", PELICAN, "--regions-from", path.join(dir, "nope.png"));
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--regions-from .*nope\.png does not exist/);
  // One label value only: the CLI reads the first photo's label image before it starts the server.
  const flat = path.join(dir, "flat.png");
  await sharp(Buffer.from([7, 7, 7, 7]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(flat);
  const one = explore("--image", PELICAN, "--regions-from", flat);
  assert.equal(one.status, 2, one.stderr);
  assert.match(one.stderr, /the label image has 1 distinct values \(regions\); use 2\.\.400/);
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

/** Process ids of `pid`'s descendants, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      visit(c);
    }
  };
  visit(pid);
  return out;
}

/** Whether `pid` is a live process (zombies count as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function startExplore(): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, [BIN, "explore", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--regions", "16"], { env });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/http:\/\/\S+/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  const url = out.match(/http:\/\/\S+/)?.[0];
  assert.ok(url, `a URL is printed: ${out}`);
  return { child, url, token: new URL(url).searchParams.get("token")! };
}

test("explore's jupyter-server serves a private empty folder: the contents API does not list /tmp", async () => {
  const marker = path.join(os.tmpdir(), `lima-explore-marker-${process.pid}.txt`);
  writeFileSync(marker, "should not be served");
  const { child, url, token } = await startExplore();
  try {
    const r = await fetch(new URL("/api/contents", url), { headers: { Authorization: `token ${token}` } });
    assert.equal(r.status, 200);
    const listing = (await r.json()) as { content: { name: string }[] };
    assert.deepEqual(listing.content.map((c) => c.name), [], "the root folder is empty");
    const direct = await fetch(new URL(`/api/contents/${path.basename(marker)}`, url), { headers: { Authorization: `token ${token}` } });
    assert.equal(direct.status, 404, "a file in /tmp cannot be read");
  } finally {
    rmSync(marker, { force: true });
    child.kill("SIGINT");
    await new Promise((r) => child.once("exit", r));
  }
});

test("kill -9 of explore leaves no jupyter-server, no kernel and no temporary folder; kill -9 of jupyter-server ends its kernel", async () => {
  for (const victim of ["explore", "server"] as const) {
    const { child, url, token } = await startExplore();
    const headers = { Authorization: `token ${token}`, "Content-Type": "application/json" };
    const kernel = (await (await fetch(new URL("/api/kernels", url), { method: "POST", headers, body: JSON.stringify({ name: "lima-ts" }) })).json()) as { id: string };
    assert.ok(kernel.id, "a kernel was started");
    // The tree: explore → supervisor (node explore-guard.js) → jupyter-server → kernel (node main.js).
    let tree: number[] = [];
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      tree = descendants(child.pid!);
      if (tree.some((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("kernel/main.js"))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const cmdline = (p: number) => (running(p) ? readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0") : []);
    const guardPid = tree.find((p) => cmdline(p).some((a) => a.endsWith("explore-guard.js")))!;
    const kernelPid = tree.find((p) => cmdline(p).some((a) => a.endsWith("kernel/main.js")))!;
    const serverPid = tree.find((p) => p !== guardPid && p !== kernelPid && descendants(p).includes(kernelPid))!;
    assert.ok(guardPid && kernelPid && serverPid, `supervisor, server and kernel found among ${tree.join(", ")}`);
    const prefix = (JSON.parse(cmdline(guardPid).at(-2) ?? cmdline(guardPid).at(-1)!) as { prefix: string }).prefix;
    assert.ok(existsSync(prefix));
    process.kill(victim === "explore" ? child.pid! : serverPid, "SIGKILL");
    const deadline = Date.now() + 20_000;
    const left = () => (victim === "explore" ? tree : [serverPid, kernelPid]).filter(running);
    while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    try {
      assert.deepEqual(left(), [], `processes left 20 s after kill -9 of ${victim}`);
      if (victim === "explore") {
        while (existsSync(prefix) && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 200));
        assert.equal(existsSync(prefix), false, `${prefix} was removed`);
        await assert.rejects(fetch(url), "the server is gone");
      } else {
        // explore notices that its server is gone and exits (non-zero), removing the folder.
        const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once("exit", r)));
        assert.equal(code, 1);
        assert.equal(existsSync(prefix), false, `${prefix} was removed`);
      }
    } finally {
      for (const p of tree) if (running(p)) process.kill(p, "SIGKILL");
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }
});
