import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { DOM } from "../../src/widgets/protocol";

export const CHROMIUM = process.env.LIMA_XAI_CHROMIUM ?? "/usr/bin/chromium";

/** Debian's chromium, headless (flags from JUPYTER.md; playwright gives it a fresh temporary profile). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (bash scripts/install-test-deps.sh)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** One plotly trace as the page holds it. */
export interface TraceData {
  name: string;
  x: number[];
  y: number[];
  hovertemplate: string;
}

/** What the explorer on a page shows right now. */
export interface ExplorerSnapshot {
  status: string;
  run: number;
  stale: string;
  staleVisible: boolean;
  order: string;
  /** Curve traces (the step marker left out), read back from the plotly div. */
  traces: TraceData[];
  yAxisAutorange: boolean;
  /** A checksum of the first map canvas's pixels. */
  mapSum: number;
  /** Visible colour bars, with their scale. */
  colorbars: { min: number; max: number; background: string }[];
  latencyFirst?: number;
  latencyFinal?: number;
  metrics: string;
  title: string;
  warning: string;
  photos: { pressed: boolean; text: string }[];
  regionsProduced: string;
  method: string;
  compare: string;
}

// Page-side code is given as source text: the tests compile without the DOM library.
const q = (selector: string) => `document.querySelector(${JSON.stringify(selector)})`;

export function snapshot(page: Page): Promise<ExplorerSnapshot> {
  return page.evaluate(`(() => {
    const root = ${q(DOM.root)};
    const curves = ${q(DOM.curves)};
    const canvas = ${q(DOM.map)};
    const pixels = canvas.width ? canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data : [];
    let sum = 0;
    for (let i = 0; i < pixels.length; i++) sum = (sum * 31 + pixels[i]) % 1000000007;
    const num = (v) => (v === undefined ? undefined : Number(v));
    const visible = (e) => !!e && !e.closest("[hidden]") && e.getClientRects().length > 0;
    return {
      status: root.dataset.status || "",
      run: Number(root.dataset.run),
      stale: root.dataset.stale || "",
      staleVisible: visible(${q(DOM.stale)}),
      order: root.dataset.order || "",
      traces: (curves.data || []).filter((t) => t.meta).map((t) => ({ name: t.name, x: [...t.x], y: [...t.y], hovertemplate: t.hovertemplate })),
      yAxisAutorange: !!(curves.layout && curves.layout.yaxis && curves.layout.yaxis.autorange === true),
      mapSum: sum,
      colorbars: [...document.querySelectorAll(${JSON.stringify(DOM.colorbar)})].filter((b) => visible(b) && b.dataset.min !== undefined).map((b) => ({ min: Number(b.dataset.min), max: Number(b.dataset.max), background: (b.querySelector(".lima-gradient") || {}).style?.background || "" })),
      latencyFirst: num(root.dataset.latencyFirst),
      latencyFinal: num(root.dataset.latencyFinal),
      metrics: ${q(DOM.metrics)}.innerText,
      title: root.querySelector(".lima-title").textContent,
      warning: visible(${q(DOM.warning)}) ? ${q(DOM.warning)}.textContent : "",
      photos: [...root.querySelectorAll("[data-photo]")].map((b) => ({ pressed: b.getAttribute("aria-pressed") === "true", text: b.innerText })),
      regionsProduced: (${q(DOM.regionsProduced)} || {}).textContent || "",
      method: ${q(DOM.method)}.value,
      compare: ${q(DOM.compare)}.value,
    };
  })()`);
}

/**
 * Sets a control as a user does — a range input's value then "change" (the release), or a
 * select's option then "change" — and returns the run counter before.
 */
export function setControl(page: Page, selector: string, value: string | number): Promise<number> {
  return page.evaluate(`(() => {
    const input = ${q(selector)};
    if (!input) throw new Error("no control " + ${JSON.stringify(selector)});
    input.value = ${JSON.stringify(String(value))};
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return Number(${q(DOM.root)}.dataset.run);
  })()`);
}

/** Moves a method's or the division's slider (`owner` "division" or a method name). */
export function slide(page: Page, owner: string, name: string, value: number): Promise<number> {
  return setControl(page, owner === "division" ? DOM.division(name) : DOM.param(owner, name), value);
}

/** Waits until a run newer than `afterRun` has `status` (for "running": has made progress; for "done": its map is drawn). */
export async function waitForRun(page: Page, afterRun: number, status = "done", timeout = 180_000): Promise<void> {
  const progressed = status === "running" ? ` && ${q(DOM.progress)}.value > 0` : status === "done" ? " && r.dataset.mapRun === r.dataset.run" : "";
  await page.waitForFunction(`(() => { const r = ${q(DOM.root)}; return !!r && Number(r.dataset.run) > ${afterRun} && r.dataset.status === ${JSON.stringify(status)}${progressed}; })()`, undefined, {
    timeout,
    polling: 50,
  });
}

/** Starts recording every value the root's `data-stale` takes (read back with {@link staleSeen}). */
export function watchStale(page: Page): Promise<void> {
  return page.evaluate(`(() => {
    const root = ${q(DOM.root)};
    window.__staleSeen = [];
    const seen = () => window.__staleSeen.push(root.dataset.stale + "|" + root.dataset.status + "|" + !${q(DOM.stale)}.hidden);
    window.__staleObserver && window.__staleObserver.disconnect();
    window.__staleObserver = new MutationObserver(seen);
    window.__staleObserver.observe(root, { attributes: true, attributeFilter: ["data-stale", "data-status"] });
  })()`);
}

/** The `stale|status|markerShown` values recorded since {@link watchStale}. */
export function staleSeen(page: Page): Promise<string[]> {
  return page.evaluate(`window.__staleSeen || []`);
}
