import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ExploreServer, startExploreServer } from "../../kernel/explore-server";
import { DOM } from "../../src/widgets/protocol";
import { launchChromium, slide, snapshot, waitForRun } from "../support/browser";
import { PHOTOS, REPO } from "../support/paths";

const ARTIFACTS = path.join(REPO, "test-artifacts");

let server: ExploreServer | undefined;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  server = await startExploreServer({ model: "squeezenet1.1-fp32", image: path.join(PHOTOS, "pelican.jpeg"), regions: 16 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(server.url);
});

after(async () => {
  if (page && !page.isClosed()) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "explorer-e2e.png"), fullPage: true }).catch(() => undefined);
  }
  await browser?.close();
  await server?.stop();
});

test("the explorer appears on our page, live against jupyter-server and the lima-ts kernel, and finishes its first run", async () => {
  await page.waitForSelector(`${DOM.root}[data-status="done"]`, { timeout: 180_000 });
  const s = await snapshot(page);
  assert.equal(s.title, "pelican.jpeg · squeezenet1.1-fp32", "file name and model shown as text");
  assert.equal(s.order.split(",").length, 16);
  assert.equal(s.insertionY.length, 17, "insertion curve: |V| + 1 points");
  assert.equal(s.deletionY.length, 17);
  assert.match(s.metrics, /explained class\s+pelican/);
  assert.ok(s.mapSum > 0);
  assert.deepEqual(pageErrors, []);
});

test("moving the λ_cons slider re-runs LIMA: the order changes and the curve is redrawn", async () => {
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
  const before = await snapshot(page);
  const run = await slide(page, "regions", 9);
  await waitForRun(page, run);
  const after = await snapshot(page);
  assert.equal(after.insertionY.length, after.order.split(",").length + 1);
  assert.ok(after.order.split(",").length < 16, `|V| is now ${after.order.split(",").length}`);
  assert.notEqual(after.mapSum, before.mapSum, "the map canvas shows other pixels");
});

test("the stop button stops a run and the kernel keeps working", async () => {
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
  assert.deepEqual(pageErrors, []);
});
