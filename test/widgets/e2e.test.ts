import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ExploreServer, startExploreServer } from "../../kernel/explore-server";
import { DOM } from "../../src/widgets/protocol";
import { launchChromium, setControl, slide, snapshot, staleSeen, waitForRun, watchStale } from "../support/browser";
import { tempDir } from "../support/onnx-graphs";
import { IMAGENET, MODELS, PHOTOS, REPO } from "../support/paths";

// The kernel resolves the model name; it inherits this environment through jupyter-server.
process.env.LIMA_XAI_MODELS = MODELS;

/** Screenshots land in artifacts/ at the repo root (gitignored), also when a test failed. */
const SCREENSHOT = path.join(REPO, "artifacts", "explorer-e2e.png");
const COMPARE_SCREENSHOT = path.join(REPO, "artifacts", "explorer-compare.png");
const GROUPS_SCREENSHOT = path.join(REPO, "artifacts", "explorer-groups.png");

let screenshotTaken = false;
async function screenshot(file = SCREENSHOT): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  if (file === SCREENSHOT) screenshotTaken = true;
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

/** The photo under a file name that is markup and quotes: the page must show it as text and send it as data. */
const HOSTILE_NAME = `<img src=x onerror="window.pwned=1">pelican's.jpeg`;
/** An ImageNet-style name: the strip shows its true class. */
const GOLDFINCH = "n01531178_goldfinch.JPEG";

before(async () => {
  const folder = tempDir("lima-e2e-");
  const image = path.join(folder, HOSTILE_NAME);
  copyFileSync(path.join(PHOTOS, "pelican.jpeg"), image);
  // Small and fast: |V| 16, RISE with 300 masks.
  server = await startExploreServer({
    request: { model: "squeezenet1.1-fp32", images: [image, path.join(IMAGENET, GOLDFINCH)], settings: { division: { regions: 16 }, params: { rise: { masks: 300 } } } },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
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
  await page.waitForFunction(`(() => { const r = document.querySelector(${JSON.stringify(DOM.root)}); return (r && r.dataset.status === "done" && r.dataset.mapRun === r.dataset.run) || document.getElementById("log").classList.contains("error"); })()`, undefined, {
    timeout: 180_000,
    polling: 100,
  });
  assert.deepEqual(await pageLog(), { text: "", error: false }, "no kernel error on the page");
  const s = await snapshot(page);
  assert.equal(s.title, `${HOSTILE_NAME} · squeezenet1.1-fp32`, "file name and model shown as text");
  const injected = await page.evaluate<{ imgs: number; pwned: unknown }>(`({ imgs: document.querySelectorAll(".lima-title img, .lima-caption img").length, pwned: window.pwned })`);
  assert.deepEqual(injected, { imgs: 0, pwned: undefined }, "markup in a file name is never parsed as HTML");
  assert.equal(s.method, "lima");
  const n = s.order.split(",").length;
  assert.ok(n >= 10 && n <= 16, `SLICO asked for 16 regions gave ${n}`);
  assert.equal(s.regionsProduced, `→ ${n}`, "the |V| control shows the |V| the division produced");
  // The division control comes from the registry: felzenszwalb is offered, its scale shown only when it is picked.
  const divisions = await page.evaluate<string[]>(`[...document.querySelectorAll(${JSON.stringify(`${DOM.division("division")} option`)})].map((o) => o.value)`);
  assert.deepEqual(divisions, ["slico", "grid", "felzenszwalb"]);
  assert.equal(await page.isVisible(DOM.division("regions")), true, "|V| is SLICO's");
  assert.equal(await page.isVisible(DOM.division("scale")), false, "felzenszwalb's scale is hidden under SLICO");
  assert.ok(await page.$(DOM.division("scale")), "the scale control exists");
  assert.deepEqual(s.traces.map((t) => t.name), ["lima insertion", "lima deletion"]);
  assert.equal(s.traces[0].y.length, n + 1, "insertion curve: |V| + 1 points");
  assert.match(s.traces[0].hovertemplate, /step %\{customdata\}: %\{customdata\} of \d+ regions revealed/, "hover names the step and the region count");
  assert.equal(s.colorbars.length, 1, "one colour bar for one map");
  assert.ok(s.colorbars[0].min < s.colorbars[0].max && /linear-gradient/.test(s.colorbars[0].background), `colour bar with its scale ${JSON.stringify(s.colorbars[0])}`);
  assert.match(s.metrics, /explaining pelican/);
  assert.equal(s.warning, "", "pelican is the prediction: no low-probability warning");
  assert.equal(s.photos.length, 2);
  assert.deepEqual(s.photos.map((p) => p.pressed), [true, false]);
  assert.match(s.photos[1].text, /predicted: .+\ntrue: goldfinch/);
  assert.ok(s.mapSum > 0);
  const tooltip = await page.getAttribute(DOM.param("lima", "np"), "title");
  assert.match(tooltip ?? "", /integer in 1\.\.\d+.*default 8/s, "the tooltip comes from the schema");
  assert.deepEqual(pageErrors, []);
  ready = true;
});

/** The group viewer as the page shows it: its data attributes, the list's texts, and the canvas read back. */
const groupView = () =>
  page.evaluate<{ hidden: boolean; highlight: string; outline: number; count: number; items: string[]; selected: string[]; caption: string; sum: number; coloured: number }>(`(() => {
    const root = document.querySelector(${JSON.stringify(DOM.groups)});
    const canvas = document.querySelector(${JSON.stringify(DOM.groupCanvas)});
    const px = canvas.width ? canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data : [];
    let sum = 0, coloured = 0;
    for (let i = 0; i < px.length; i += 4) {
      sum = (sum * 31 + px[i] + 7 * px[i + 1] + 13 * px[i + 2]) % 1000000007;
      if ((px[i] === 255 && px[i + 1] === 214 && px[i + 2] === 0) || (px[i] === 0 && px[i + 1] === 200 && px[i + 2] === 255)) coloured++;
    }
    const items = [...root.querySelectorAll("[data-group]")];
    return {
      hidden: root.hidden || root.getClientRects().length === 0,
      highlight: root.dataset.highlight, outline: Number(root.dataset.outline), count: Number(root.dataset.count),
      items: items.map((li) => li.textContent), selected: items.filter((li) => li.getAttribute("aria-selected") === "true").map((li) => li.dataset.group),
      caption: root.querySelector("[data-role=group-caption]").textContent, sum, coloured,
    };
  })()`);

test("the groups panel shows LIMA's groups ranked by signed score; highlighting group 2 moves the outline", async () => {
  needExplorer();
  const n = (await snapshot(page)).order.split(",").length;
  const first = await groupView();
  assert.equal(first.hidden, false, "LIMA has groups: the panel shows");
  assert.equal(first.count, n, "one prefix group per region");
  const scores = first.items.map((t) => Number(t.split(" ")[0].replace("−", "-")));
  for (const t of first.items) assert.match(t, /^[+−]\d/, `the sign is shown: ${t}`);
  for (let k = 1; k < n; k++) assert.ok(scores[k - 1] >= scores[k], `highest score first: ${first.items.join(" | ")}`);
  assert.equal(first.highlight, "0");
  assert.deepEqual(first.selected, ["0"], "one group highlighted");
  assert.ok(first.outline > 0 && first.coloured === first.outline, `the outline is drawn: ${first.outline} px, ${first.coloured} in its colours`);
  assert.match(first.caption, new RegExp(`^group 1 of ${n} · score [+−]`));
  await page.focus(DOM.groupList);
  await page.keyboard.press("ArrowDown");
  const second = await groupView();
  assert.equal(second.highlight, "1", "the arrow key highlights group 2");
  assert.deepEqual(second.selected, ["1"]);
  assert.notEqual(second.sum, first.sum, "another group, another outline on the canvas");
  assert.ok(second.outline > 0 && second.coloured === second.outline);
  assert.match(second.caption, new RegExp(`^group 2 of ${n} · score ${first.items[1].split(/\s/)[0].replace("+", "\\+")}`));
  await page.click(DOM.group(0));
  assert.equal((await groupView()).sum, first.sum, "clicking group 1 draws its outline again");
  await page.click(DOM.group(1));
  mkdirSync(path.dirname(GROUPS_SCREENSHOT), { recursive: true });
  await page.locator(".lima-pictures").screenshot({ path: GROUPS_SCREENSHOT });
  assert.ok(statSync(GROUPS_SCREENSHOT).size > 10_000);
  assert.deepEqual(pageErrors, []);
});

test("a |V| change re-runs: the previous result is marked stale while the run goes, and the mark goes after", async () => {
  needExplorer();
  const before = await snapshot(page);
  await watchStale(page);
  const run = await slide(page, "division", "regions", 25);
  await waitForRun(page, run);
  const seen = await staleSeen(page);
  assert.ok(seen.includes("true|running|true"), `the stale mark was shown during the run: ${seen.join(" ")}`);
  const after = await snapshot(page);
  assert.equal(after.stale, "false");
  assert.equal(after.staleVisible, false, "the mark is gone once the new result is in");
  assert.notEqual(after.order, before.order);
  assert.equal(after.traces[0].y.length, after.order.split(",").length + 1);
  assert.ok(after.latencyFinal !== undefined, "the view timed the re-run");
});

test("switching the method to RISE and back: RISE's curves, then LIMA's with its own options kept", async () => {
  needExplorer();
  let run = await slide(page, "lima", "cons", 10);
  await waitForRun(page, run);
  run = await setControl(page, DOM.method, "rise");
  await waitForRun(page, run);
  let s = await snapshot(page);
  assert.deepEqual(s.traces.map((t) => t.name), ["rise insertion", "rise deletion"]);
  assert.match(s.metrics, /RISE/);
  assert.equal(await page.inputValue(DOM.param("rise", "masks")), "300", "RISE's own controls, from its schema");
  assert.equal((await groupView()).hidden, true, "RISE has no groups: no Groups panel");
  run = await setControl(page, DOM.method, "lima");
  await waitForRun(page, run);
  s = await snapshot(page);
  assert.deepEqual(s.traces.map((t) => t.name), ["lima insertion", "lima deletion"]);
  assert.equal(await page.inputValue(DOM.param("lima", "cons")), "10", "λ_cons kept across the switch");
  assert.deepEqual(await pageLog(), { text: "", error: false });
});

test("compare mode draws both methods' curves on one chart, two maps with colour bars, metrics side by side", async () => {
  needExplorer();
  const run = await setControl(page, DOM.compare, "rise");
  await waitForRun(page, run);
  const s = await snapshot(page);
  assert.deepEqual(s.traces.map((t) => t.name), ["lima insertion", "lima deletion", "rise insertion", "rise deletion"]);
  const n = s.order.split(",").length;
  for (const t of s.traces) assert.equal(t.y.length, n + 1, `${t.name}: |V| + 1 points`);
  assert.notDeepEqual(s.traces[0].y, s.traces[2].y, "two methods, two insertion curves");
  assert.equal(s.traces[0].y[n], s.traces[2].y[n], "both end at the full photo");
  assert.equal(s.colorbars.length, 2, "a colour bar under each map");
  assert.match(s.metrics.split("\n")[0], /LIMA.*\tRISE|LIMA.*RISE/, "metrics side by side");
  const yFixed = s.yAxisAutorange;
  await page.click(DOM.yFit);
  await page.waitForFunction(`document.querySelector(${JSON.stringify(DOM.curves)}).layout.yaxis.autorange === true`, undefined, { timeout: 10_000 });
  assert.equal(yFixed, false, "the y axis is 0..1 until asked to follow the data");
  await screenshot(COMPARE_SCREENSHOT);
  assert.ok(statSync(COMPARE_SCREENSHOT).size > 20_000);
});

test("switching photo keeps the settings and shows the other photo's result", async () => {
  needExplorer();
  const before = await snapshot(page);
  const run = before.run;
  await page.click(DOM.photo(1));
  await waitForRun(page, run);
  const s = await snapshot(page);
  assert.equal(s.title, `${GOLDFINCH} · squeezenet1.1-fp32`);
  assert.deepEqual(s.photos.map((p) => p.pressed), [false, true]);
  assert.equal(s.compare, "rise", "still comparing");
  assert.equal(await page.inputValue(DOM.param("lima", "cons")), "10");
  assert.equal(await page.inputValue(DOM.division("regions")), "25");
  assert.equal(s.traces.length, 4);
  assert.notEqual(s.mapSum, before.mapSum);
  assert.deepEqual(pageErrors, []);
});

test("explaining a class the model does not see on the photo shows a clear warning", async () => {
  needExplorer();
  const run = (await snapshot(page)).run;
  await page.fill(DOM.targetName, "tench");
  await page.press(DOM.targetName, "Enter");
  await waitForRun(page, run);
  const s = await snapshot(page);
  assert.match(s.metrics, /explaining tench/);
  assert.match(s.warning, /"tench" a probability of \d+\.\d+ % on the full photo.*mostly noise/s);
});

test("the stop button stops a run and the kernel keeps working; reset puts the defaults back", async () => {
  needExplorer();
  const run = await slide(page, "division", "regions", 36);
  await waitForRun(page, run, "running", 120_000);
  await page.click(DOM.stop);
  await page.waitForSelector(`${DOM.root}[data-status="stopped"]`, { timeout: 60_000 });
  const info = await page.evaluate<string>(`window.limaKernel.requestKernelInfo().then((r) => r.content.status)`);
  assert.equal(info, "ok", "the kernel answers kernel_info after the stop");
  const before = (await snapshot(page)).run;
  await page.click(DOM.reset);
  await page.waitForFunction(`document.querySelector(${JSON.stringify(DOM.compare)}).value === "" && Number(document.querySelector(${JSON.stringify(DOM.root)}).dataset.run) > ${before}`, undefined, { timeout: 30_000 });
  assert.equal(await page.inputValue(DOM.param("lima", "cons")), "20", "λ_cons back at its schema default");
  assert.equal(await page.inputValue(DOM.target), "-1", "explaining the prediction again");
  await page.click(DOM.stop).catch(() => undefined); // the default |V| is large: no need to wait for it
  assert.deepEqual(await pageLog(), { text: "", error: false });
  assert.deepEqual(pageErrors, []);
});

test("a screenshot of the explorer is saved to artifacts/explorer-e2e.png", async () => {
  await screenshot();
  needExplorer();
  assert.ok(statSync(SCREENSHOT).size > 20_000, "a real picture, not an empty page");
});
