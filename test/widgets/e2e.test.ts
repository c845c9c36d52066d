import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ExploreServer, startExploreServer } from "../../kernel/explore-server";
import { DOM } from "../../src/widgets/protocol";
import { launchChromium, slide, snapshot, waitForRun } from "../support/browser";
import { tempDir } from "../support/onnx-graphs";
import { MODELS, PHOTOS, REPO } from "../support/paths";

// The kernel resolves the model name; it inherits this environment through jupyter-server.
process.env.LIMA_XAI_MODELS = MODELS;

/** The screenshot lands in artifacts/ at the repo root (gitignored), also when a test failed. */
const SCREENSHOT = path.join(REPO, "artifacts", "explorer-e2e.png");

let screenshotTaken = false;
async function screenshot(): Promise<void> {
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  screenshotTaken = true;
}

/** Kernel errors and connection problems are shown in the page's #log line. */
const pageLog = () => page.evaluate<{ text: string; error: boolean }>(`(() => { const l = document.getElementById("log"); return { text: l.textContent, error: l.classList.contains("error") }; })()`);

/** Set once the first run is done: the later tests fail at once without it, rather than each waiting minutes. */
let ready = false;
const needExplorer = () => assert.ok(ready, "the explorer never finished its first run (see the first test)");

let server: ExploreServer | undefined;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

/** The photo under a file name that is markup and quotes: the page must show it as text and run it as a string. */
const HOSTILE_NAME = `<img src=x onerror="window.pwned=1">pelican's.jpeg`;

before(async () => {
  const image = path.join(tempDir("lima-e2e-"), HOSTILE_NAME);
  copyFileSync(path.join(PHOTOS, "pelican.jpeg"), image);
  server = await startExploreServer({ model: "squeezenet1.1-fp32", image, regions: 16 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(server.url);
});

after(async () => {
  // Each step on its own: a failing one must not leave chromium, the server or the kernel behind.
  if (!screenshotTaken && page && !page.isClosed()) await screenshot().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop();
});

test("the explorer appears on our page, live against jupyter-server and the lima-ts kernel, and finishes its first run", async () => {
  // Done, or an error on the page (kernel error, lost server): then fail with the page's own words.
  await page.waitForFunction(`(() => { const r = document.querySelector(${JSON.stringify(DOM.root)}); return (r && r.dataset.status === "done") || document.getElementById("log").classList.contains("error"); })()`, undefined, {
    timeout: 180_000,
    polling: 100,
  });
  assert.deepEqual(await pageLog(), { text: "", error: false }, "no kernel error on the page");
  const s = await snapshot(page);
  assert.equal(s.title, `${HOSTILE_NAME} · squeezenet1.1-fp32`, "file name and model shown as text");
  const injected = await page.evaluate<{ imgs: number; pwned: unknown }>(`({ imgs: document.querySelectorAll(".lima-title img").length, pwned: window.pwned })`);
  assert.deepEqual(injected, { imgs: 0, pwned: undefined }, "markup in a file name is never parsed as HTML");
  assert.equal(s.order.split(",").length, 16);
  assert.equal(s.insertionY.length, 17, "insertion curve: |V| + 1 points");
  assert.equal(s.deletionY.length, 17);
  assert.match(s.metrics, /explained class\s+pelican/);
  assert.ok(s.mapSum > 0);
  assert.deepEqual(pageErrors, []);
  ready = true;
});

test("moving the λ_cons slider re-runs LIMA: the order changes and the curve is redrawn", async () => {
  needExplorer();
  const before = await snapshot(page);
  const run = await slide(page, "lambda_cons", 0);
  await waitForRun(page, run);
  const after = await snapshot(page);
  assert.notEqual(after.order, before.order, "λ_cons 20 → 0 changes the order");
  assert.notDeepEqual(after.insertionY, before.insertionY, "the plot's insertion data changed");
  assert.equal(after.insertionY.length, 17);
  assert.ok(after.latencyFinal !== undefined && after.latencyFirst !== undefined && after.latencyFirst <= after.latencyFinal, "the view timed the re-run");
  assert.match(after.metrics, /cache hits\s+[1-9]/, "the re-run read cached outputs");
});

test("changing |V| changes the division and the map", async () => {
  needExplorer();
  const before = await snapshot(page);
  const run = await slide(page, "regions", 9);
  await waitForRun(page, run);
  const after = await snapshot(page);
  assert.equal(after.insertionY.length, after.order.split(",").length + 1);
  assert.ok(after.order.split(",").length < 16, `|V| is now ${after.order.split(",").length}`);
  assert.notEqual(after.mapSum, before.mapSum, "the map canvas shows other pixels");
});

test("the stop button stops a run and the kernel keeps working", async () => {
  needExplorer();
  const run = await slide(page, "regions", 36);
  await waitForRun(page, run, "running", 120_000);
  await page.click(DOM.stop);
  await page.waitForSelector(`${DOM.root}[data-status="stopped"]`, { timeout: 60_000 });
  const stopped = await snapshot(page);
  assert.equal(stopped.status, "stopped");
  const again = await slide(page, "regions", 16);
  await waitForRun(page, again);
  const s = await snapshot(page);
  assert.equal(s.order.split(",").length, 16, "back at |V| = 16 after the stop");
  const info = await page.evaluate<string>(`window.limaKernel.requestKernelInfo().then((r) => r.content.status)`);
  assert.equal(info, "ok", "the kernel answers kernel_info after the stop");
  assert.deepEqual(await pageLog(), { text: "", error: false });
  assert.deepEqual(pageErrors, []);
});

test("a screenshot of the explorer is saved to artifacts/explorer-e2e.png", async () => {
  await screenshot();
  needExplorer();
  assert.ok(statSync(SCREENSHOT).size > 20_000, "a real picture, not an empty page");
});
