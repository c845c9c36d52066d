/**
 * The widgets in a real JupyterLab 4 front end (issue 18): JupyterLab's own npm packages,
 * assembled with module federation by test/jupyterlab/app (built here when missing, reused by the
 * hash of its lockfile), served by Debian's jupyterlab_server (LabServerApp on jupyter-server),
 * with our kernelspec and our prebuilt extension taken from the folder
 * `lima-xai kernel install --prefix DIR` writes — as a user's JupyterLab finds them.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { freePort } from "../../kernel/explore-server";
import { installKernel } from "../../kernel/install";
import { DOM, SNAPSHOT_CLASS } from "../../src/widgets/protocol";
import { launchChromium, slide, snapshot, waitForRun } from "../support/browser";
import { MODELS, PHOTOS, REPO } from "../support/paths";

const APP = path.join(REPO, "test", "jupyterlab", "app");
const SCREENSHOT = path.join(REPO, "artifacts", "jupyterlab-explorer.png");
const PYTHON = process.env.LIMA_XAI_PYTHON ?? "/usr/bin/python3";
const NOTEBOOK = "explorer.ipynb";
const REGIONS = 16;

/** The harness build: node test/jupyterlab/app/build.js (npm ci + webpack when missing). Its last line is JSON. */
interface HarnessBuild {
  out: string;
  key: string;
  installS: number;
  buildS: number;
  cached: boolean;
}

function buildHarness(): HarnessBuild {
  const r = spawnSync(process.execPath, [path.join(APP, "build.js")], { cwd: REPO, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) throw new Error(`building the JupyterLab harness failed (exit ${r.status ?? r.signal}):\n${output.slice(-4000)}`);
  const last = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  return JSON.parse(last) as HarnessBuild;
}

/** A notebook on the lima-ts kernel: load model and photo, show the explorer, show a plotly figure. */
function notebook(photo: string): string {
  const code = (source: string[]) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: source.join("\n") });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "lima-ts", display_name: "TypeScript (lima-xai)", language: "typescript" }, language_info: { name: "typescript" } },
    cells: [
      code([
        `import { explore, loadImage, loadModel } from "lima-xai";`,
        `const model = await loadModel("squeezenet1.1-fp32", { searchPaths: [${JSON.stringify(MODELS)}] });`,
        `const image = await loadImage(${JSON.stringify(photo)}, model.card);`,
      ]),
      code([`const explorer = explore(model, { image, title: "pelican.jpeg" }, { settings: { division: { regions: ${REGIONS} } } });`]),
      code([`({ data: [{ type: "scatter", mode: "lines+markers", name: "probe", x: [0, 1, 2, 3], y: [0.25, 0.5, 0.125, 1] }], layout: { title: { text: "a plotly figure from the kernel" } } })`]),
    ].map((c, i) => ({ ...c, id: `cell-${i}` })),
  });
}

let prefix: string;
let server: ChildProcess | undefined;
let serverLog = "";
let browser: Browser | undefined;
let page: Page;
let baseUrl: string;
let harness: HarnessBuild;
const pageErrors: string[] = [];
const httpErrors: string[] = [];
/** The browser console's errors, shown when a check fails (JupyterLab reports plugin and widget failures there). */
const consoleErrors: string[] = [];
let screenshotTaken = false;

async function screenshot(): Promise<void> {
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  screenshotTaken = true;
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`LabServerApp exited with code ${server?.exitCode}:\n${serverLog.slice(-3000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`LabServerApp did not answer ${url} within ${timeoutMs / 1000} s:\n${serverLog.slice(-3000)}`);
}

/** Opens the notebook in JupyterLab and waits until the application has started and the kernel is idle. */
async function openNotebook(): Promise<void> {
  await page.goto(`${baseUrl}lab/tree/${NOTEBOOK}`);
  await page.waitForFunction(`!!(window.limaLab && window.limaLab.status.started)`, undefined, { timeout: 120_000 });
  await page.waitForFunction(
    `(() => { const w = window.limaLab.app.shell.currentWidget; return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel && w.sessionContext.kernelDisplayStatus === "idle"); })()`,
    undefined,
    { timeout: 120_000, polling: 100 },
  );
}

const labStatus = () => page.evaluate<{ failedToLoad: string[]; failedToActivate: string[]; federatedPlugins: string[]; activated: string[] }>(`window.limaLab.status`);
/** ipywidgets' error boxes (ErrorWidgetView, "Error displaying widget" texts) on the page, with the console's errors to explain them. */
async function errorWidgets(): Promise<string[]> {
  const boxes = await page.evaluate<string[]>(
    `[...document.querySelectorAll(".jp-OutputArea-output")].filter((e) => e.querySelector(".jupyter-widgets-error-widget") || /Error displaying widget|Error creating widget/i.test(e.textContent)).map((e) => e.textContent.trim())`,
  );
  return boxes.map((b) => `${b} — console: ${consoleErrors.filter((e) => !/api\/events\/subscribe|status of 404/.test(e)).join(" | ")}`);
}

before(async () => {
  harness = buildHarness();
  console.log(`# JupyterLab harness ${harness.cached ? "reused" : "built"}: npm ci ${harness.installS.toFixed(1)} s, webpack ${harness.buildS.toFixed(1)} s (key ${harness.key})`);
  prefix = mkdtempSync(path.join(os.tmpdir(), "lima-jlab-"));
  // Exactly what a user runs: the kernelspec and the labextension land under DIR/share/jupyter.
  installKernel({ prefix });
  const data = path.join(prefix, "share", "jupyter");
  const root = path.join(prefix, "root");
  const state = path.join(prefix, "state");
  mkdirSync(root);
  writeFileSync(path.join(root, NOTEBOOK), notebook(path.join(PHOTOS, "pelican.jpeg")));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}/`;
  const args = [
    path.join(APP, "server.py"),
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    "--ServerApp.token=",
    "--ServerApp.password=",
    "--ServerApp.open_browser=False",
    `--ServerApp.root_dir=${root}`,
    `--LimaLab.static_dir=${path.join(harness.out, "static")}`,
    `--LimaLab.schemas_dir=${path.join(harness.out, "schemas")}`,
    `--LimaLab.themes_dir=${path.join(harness.out, "themes")}`,
    `--LimaLab.labextensions_path=${path.join(data, "labextensions")}`,
    `--LimaLab.user_settings_dir=${path.join(state, "settings")}`,
    `--LimaLab.workspaces_dir=${path.join(state, "workspaces")}`,
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ];
  server = spawn(PYTHON, args, {
    env: {
      ...process.env,
      JUPYTER_PATH: data,
      JUPYTER_CONFIG_DIR: path.join(state, "config"),
      JUPYTER_RUNTIME_DIR: path.join(state, "runtime"),
      JUPYTER_DATA_DIR: path.join(state, "data"),
      LIMA_XAI_MODELS: MODELS,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => {
    serverLog = (serverLog + chunk.toString()).slice(-50_000);
  };
  server.stdout!.on("data", collect);
  server.stderr!.on("data", collect);
  await waitForServer(`${baseUrl}api/status`, 60_000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text().slice(0, 2000));
  });
  page.on("response", (r) => {
    if (r.status() >= 400) httpErrors.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
});

after(async () => {
  if (!screenshotTaken && page && !page.isClosed()) await screenshot().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    const timer = setTimeout(() => server!.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

let ready = false;
const needExplorer = () => assert.ok(ready, "the explorer never rendered in JupyterLab (see the earlier test)");

test("JupyterLab 4 starts on Debian's LabServerApp and activates lima-xai-widgets from the labextensions folder", async () => {
  await openNotebook();
  const status = await labStatus();
  assert.deepEqual(status.failedToLoad, [], "every prebuilt extension loaded");
  assert.deepEqual(status.failedToActivate, []);
  assert.deepEqual(status.federatedPlugins.sort(), ["lima-xai-widgets:plotly", "lima-xai-widgets:plugin"], "our widget plugin and plotly renderer came from the labextensions folder");
  for (const id of ["lima-xai-widgets:plugin", "lima-xai-widgets:plotly", "@jupyter-widgets/jupyterlab-manager:plugin", "@jupyterlab/notebook-extension:factory"]) {
    assert.ok(status.activated.includes(id), `${id} is active`);
  }
  const kernel = await page.evaluate<string>(`window.limaLab.app.shell.currentWidget.sessionContext.session.kernel.name`);
  assert.equal(kernel, "lima-ts");
});

test("running the notebook shows the explorer (our view, not the error box) and it finishes its first run", async () => {
  await page.evaluate(`window.limaLab.app.commands.execute("notebook:run-all-cells")`);
  await page.waitForFunction(
    `(() => { const r = document.querySelector(${JSON.stringify(DOM.root)}); return (r && r.dataset.status === "done" && r.dataset.mapRun === r.dataset.run) || document.querySelector(".jupyter-widgets-error-widget, .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"); })()`,
    undefined,
    { timeout: 240_000, polling: 200 },
  );
  assert.deepEqual(await errorWidgets(), [], "no widget error box");
  const stderr = await page.evaluate<string[]>(`[...document.querySelectorAll(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")].map((e) => e.textContent)`);
  assert.deepEqual(stderr, [], "no error output from the kernel");
  const s = await snapshot(page);
  assert.equal(s.title, "pelican.jpeg · squeezenet1.1-fp32");
  assert.equal(s.order.split(",").length, REGIONS);
  assert.deepEqual(s.traces.map((t) => t.name), ["lima insertion", "lima deletion"]);
  assert.equal(s.traces[0].y.length, REGIONS + 1, "the plot holds |V| + 1 insertion points");
  assert.ok(s.mapSum > 0, "the map canvas is drawn");
  const inOutput = await page.evaluate<boolean>(`!!document.querySelector(".jp-Notebook .jp-OutputArea-output ${DOM.root}")`);
  assert.ok(inOutput, "the explorer sits in a notebook cell's output");
  ready = true;
});

test("the explorer's static snapshot is in the cell but hidden by the extension's CSS: one explorer is visible", async () => {
  needExplorer();
  const seen = await page.evaluate<{ snapshots: number; snapshotShown: number; rule: boolean; widgetShown: boolean; widgetHeight: number }>(`(() => {
    const shown = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).display !== "none";
    const cell = window.limaLab.app.shell.currentWidget.content.widgets[1].outputArea.node;
    const snapshots = [...cell.querySelectorAll(${JSON.stringify(`.${SNAPSHOT_CLASS}`)})];
    const root = cell.querySelector(${JSON.stringify(DOM.root)});
    return {
      snapshots: snapshots.length,
      snapshotShown: snapshots.filter(shown).length,
      rule: !!document.getElementById("lima-xai-snapshot-style"),
      widgetShown: shown(root),
      widgetHeight: root ? root.getBoundingClientRect().height : 0,
    };
  })()`);
  assert.equal(seen.snapshots, 1, "the kernel sent the snapshot output after the widget");
  assert.ok(seen.rule, "the plugin added its style");
  assert.equal(seen.snapshotShown, 0, "the snapshot is hidden");
  assert.ok(seen.widgetShown && seen.widgetHeight > 100, `the live explorer is visible (${seen.widgetHeight} px high)`);
});

test("moving the λ_cons slider re-runs LIMA in the kernel and redraws the curve", async () => {
  needExplorer();
  const before = await snapshot(page);
  const run = await slide(page, "lima", "cons", 0);
  await waitForRun(page, run);
  const after = await snapshot(page);
  assert.ok(after.run > before.run, "a new run");
  assert.notEqual(after.order, before.order, "λ_cons 20 → 0 changes the order");
  assert.notDeepEqual(after.traces[0].y, before.traces[0].y, "the plotly div's insertion data changed");
  assert.equal(after.traces[0].y.length, REGIONS + 1);
});

test("a plotly figure returned by a cell renders as a chart", async () => {
  // Cells far below the viewport are skipped by the notebook's rendering: bring the third one into view, as a user scrolls.
  await page.evaluate(`(async () => { const nb = window.limaLab.app.shell.currentWidget.content; nb.activeCellIndex = 2; await nb.scrollToItem(2, "start"); })()`);
  const plot = `window.limaLab.app.shell.currentWidget.content.widgets[2].outputArea.node.querySelector(".js-plotly-plot")`;
  await page.waitForFunction(`(() => { const p = ${plot}; return !!(p && p.data && p.querySelectorAll(".scatterlayer .point").length); })()`, undefined, { timeout: 60_000, polling: 200 }).catch(() => undefined);
  const shown = await page.evaluate<{ y: number[] | null; points: number; mime: string[] }>(
    `(() => { const p = ${plot}; const area = window.limaLab.app.shell.currentWidget.content.widgets[2].outputArea; return { y: p && p.data ? [...p.data[0].y] : null, points: p ? p.querySelectorAll(".scatterlayer .point").length : 0, mime: [...area.node.querySelectorAll(".jp-OutputArea-output")].map((o) => (o.matches(".lima-plotly-output") || o.querySelector(".lima-plotly-output") ? "plotly renderer" : o.textContent.slice(0, 80))) }; })()`,
  );
  assert.deepEqual(shown.y, [0.25, 0.5, 0.125, 1], `the chart holds the kernel's data (outputs: ${JSON.stringify(shown.mime)})`);
  assert.equal(shown.points, 4, "four markers drawn");
  assert.deepEqual(shown.mime, ["plotly renderer"], "one output, shown by our plotly renderer, not as the text fallback");
});

test("a screenshot of the notebook with the explorer is saved to artifacts/jupyterlab-explorer.png", async () => {
  needExplorer();
  // The explorer's cell at the top of the view, and JupyterLab's news prompt closed (answering it
  // would save a setting, which Debian's jupyterlab_server 2.16 rejects: see the last test).
  await page.evaluate(`(async () => { const nb = window.limaLab.app.shell.currentWidget.content; nb.activeCellIndex = 1; await nb.scrollToItem(1, "start"); })()`);
  const close = page.locator(".jp-Notification-Toast-Close");
  if ((await close.count()) > 0) await close.first().click();
  await page.waitForTimeout(500);
  await screenshot();
  assert.ok(statSync(SCREENSHOT).size > 30_000, "a real picture, not an empty page");
});

test("after saving and reloading the page, the explorer is restored from the kernel", async () => {
  needExplorer();
  const before = await snapshot(page);
  await page.evaluate(`window.limaLab.app.commands.execute("docmanager:save")`);
  await page.waitForFunction(`!window.limaLab.app.shell.currentWidget.context.model.dirty`, undefined, { timeout: 30_000 });
  await page.reload();
  await page.waitForFunction(`!!(window.limaLab && window.limaLab.status.started)`, undefined, { timeout: 120_000 });
  await page.waitForFunction(
    `(() => { const r = document.querySelector(${JSON.stringify(DOM.root)}); return (r && r.dataset.status === "done" && r.dataset.mapRun === r.dataset.run) || document.querySelector(".jupyter-widgets-error-widget"); })()`,
    undefined,
    { timeout: 120_000, polling: 200 },
  );
  assert.deepEqual(await errorWidgets(), [], "no widget error box after the reload");
  // The view draws the restored order and curves once plotly has laid out the figure.
  await page
    .waitForFunction(`(() => { const r = document.querySelector(${JSON.stringify(DOM.root)}); const c = document.querySelector(${JSON.stringify(DOM.curves)}); return r.dataset.order && c.data && c.data[0] && c.data[0].y.length > 0; })()`, undefined, { timeout: 30_000, polling: 200 })
    .catch(() => undefined);
  await page.screenshot({ path: path.join(REPO, "artifacts", "jupyterlab-reloaded.png") });
  const after = await snapshot(page);
  assert.deepEqual(after.traces, before.traces, "the same curves as before the reload (state from the kernel)");
  assert.equal(after.mapSum, before.mapSum, "the same map");
  assert.equal(after.metrics, before.metrics, "the same metrics");
  assert.equal(after.run, before.run, "no new run: the state was restored, not recomputed");
});

/**
 * What Debian's server side lacks for JupyterLab 4, seen here: jupyter-server 1.23 has no
 * /api/me (user identity) and no /api/events/subscribe (event bus); JupyterLab carries on without
 * both. (Also: jupyterlab_server 2.16 validates user settings with JSON Schema draft 4, which
 * ignores JupyterLab 4's `const` in `oneOf`, so saving such a setting, e.g. the news prompt's
 * answer, gets 400; the test saves none.)
 */
test("no uncaught page errors; the only failed requests are the jupyter-server 2 endpoints Debian's 1.23 lacks", () => {
  assert.deepEqual(pageErrors, []);
  const unexpected = httpErrors.filter((e) => !/^404 GET \/api\/(me|events\/subscribe)$/.test(e));
  assert.deepEqual(unexpected, [], `failed requests: ${httpErrors.join(", ")}`);
});
