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

/** What the explorer on a page shows right now. */
export interface ExplorerSnapshot {
  status: string;
  run: number;
  order: string;
  insertionY: number[];
  deletionY: number[];
  /** A checksum of the map canvas's pixels. */
  mapSum: number;
  latencyFirst?: number;
  latencyFinal?: number;
  metrics: string;
  title: string;
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
    return {
      status: root.dataset.status || "",
      run: Number(root.dataset.run),
      order: root.dataset.order || "",
      insertionY: [...((curves.data && curves.data[0] && curves.data[0].y) || [])],
      deletionY: [...((curves.data && curves.data[1] && curves.data[1].y) || [])],
      mapSum: sum,
      latencyFirst: num(root.dataset.latencyFirst),
      latencyFinal: num(root.dataset.latencyFinal),
      metrics: ${q(DOM.metrics)}.innerText,
      title: root.querySelector(".lima-title").textContent,
    };
  })()`);
}

/** Moves a slider as a user does: the value changes, then "change" fires (the release). Returns the run counter before. */
export function slide(page: Page, key: Parameters<typeof DOM.slider>[0], value: number): Promise<number> {
  return page.evaluate(`(() => {
    const input = ${q(DOM.slider(key))};
    input.value = ${JSON.stringify(String(value))};
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return Number(${q(DOM.root)}.dataset.run);
  })()`);
}

/** Waits until a run newer than `afterRun` has `status` (for "running": has made progress; for "done": its map is drawn). */
export async function waitForRun(page: Page, afterRun: number, status = "done", timeout = 180_000): Promise<void> {
  const progressed = status === "running" ? ` && ${q(DOM.progress)}.value > 0` : status === "done" ? " && r.dataset.mapRun === r.dataset.run" : "";
  await page.waitForFunction(`(() => { const r = ${q(DOM.root)}; return !!r && Number(r.dataset.run) > ${afterRun} && r.dataset.status === ${JSON.stringify(status)}${progressed}; })()`, undefined, {
    timeout,
    polling: 50,
  });
}
