/**
 * Checks of an executed notebook and of nbconvert's HTML of it, shared by the notebooks' test and
 * the fixture test that proves each check can fail. Every check returns a list of problems (empty
 * when the notebook is fine), each naming the cell and the output.
 */
import type { Browser } from "playwright-core";
import { type Notebook, notebookText } from "./nbconvert";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";
export const SELF_CHECK = "self-check passed";

const codeCells = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === "code");

/** Error outputs, and a last code cell whose result is not "self-check passed". */
export function executionProblems(nb: Notebook): string[] {
  const problems: string[] = [];
  codeCells(nb).forEach((cell, i) => {
    for (const o of cell.outputs ?? []) if (o.output_type === "error") problems.push(`code cell ${i}: error output ${o.ename}: ${o.evalue}`);
  });
  const last = codeCells(nb).at(-1);
  const results = (last?.outputs ?? []).filter((o) => o.output_type === "execute_result").map((o) => notebookText(o.data?.["text/plain"] ?? "").trim().replace(/^(['"])(.*)\1$/, "$2"));
  if (results.at(-1) !== SELF_CHECK) problems.push(`the last code cell's result is ${JSON.stringify(results.at(-1) ?? "(none)")}, not ${JSON.stringify(SELF_CHECK)}`);
  return problems;
}

/** One output box of nbconvert's HTML as Chromium lays it out. */
export interface RenderedOutput {
  /** `.jp-OutputArea-output` elements in the output's box (0: the output rendered nothing). */
  readonly boxes: number;
  readonly width: number;
  readonly height: number;
  readonly textLength: number;
  readonly images: number;
  readonly svgs: number;
  readonly canvases: number;
  /** Start of the src of every <img> that did not decode (naturalWidth 0). */
  readonly undecoded: string[];
}

/** The code cells of the page, in order, each with its output boxes in order. */
export interface RenderedPage {
  readonly cells: { outputs: RenderedOutput[] }[];
}

/**
 * Opens nbconvert's HTML in Chromium (every http(s) request refused: the page must stand offline),
 * waits for its images to decode, and measures each output box of each code cell.
 */
export async function renderHtml(browser: Browser, htmlFile: string): Promise<RenderedPage> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  try {
    await page.route(/^https?:/, (route) => route.abort());
    await page.goto(`file://${htmlFile}`, { waitUntil: "load", timeout: 60_000 });
    return await page.evaluate<RenderedPage>(`(async () => {
      await Promise.all([...document.images].map((img) => img.decode().catch(() => undefined)));
      return {
        cells: [...document.querySelectorAll(".jp-CodeCell")].map((cell) => ({
          outputs: [...cell.querySelectorAll(".jp-OutputArea-child")].map((child) => {
            const boxes = [...child.querySelectorAll(".jp-OutputArea-output")];
            const rects = boxes.map((b) => b.getBoundingClientRect());
            return {
              boxes: boxes.length,
              width: Math.max(0, ...rects.map((r) => r.width)),
              height: Math.max(0, ...rects.map((r) => r.height)),
              textLength: boxes.map((b) => b.textContent.trim().length).reduce((a, b) => a + b, 0),
              images: child.querySelectorAll(".jp-OutputArea-output img").length,
              svgs: child.querySelectorAll(".jp-OutputArea-output svg").length,
              canvases: child.querySelectorAll(".jp-OutputArea-output canvas").length,
              undecoded: [...child.querySelectorAll(".jp-OutputArea-output img")].filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute("src").slice(0, 40)),
            };
          }),
        })),
      };
    })()`);
  } finally {
    await page.close();
  }
}

/**
 * Every output carrying a plotly figure has an <img> or <svg> in its own HTML box; every output
 * carrying a widget view has one in its cell (the explorer's snapshot is the next output).
 */
export function staticFormProblems(nb: Notebook, page: RenderedPage): string[] {
  const cells = codeCells(nb);
  if (cells.length !== page.cells.length) return [`the HTML has ${page.cells.length} code cells, the notebook ${cells.length}`];
  const problems: string[] = [];
  cells.forEach((cell, i) => {
    const rendered = page.cells[i].outputs;
    (cell.outputs ?? []).forEach((o, j) => {
      const box = rendered[j];
      if (o.data && PLOTLY_MIME in o.data && !(box && box.images + box.svgs > 0)) problems.push(`code cell ${i} output ${j}: a plotly figure with no <img> or <svg> in its HTML (no static fallback)`);
      if (o.data && WIDGET_VIEW_MIME in o.data && !rendered.some((b) => b.images + b.svgs > 0)) problems.push(`code cell ${i} output ${j}: a widget view with no <img> or <svg> in its cell's HTML (no static snapshot)`);
    });
  });
  return problems;
}

/** No output box is empty (no size, or no text, image, svg or canvas) and every <img> decoded. */
export function renderProblems(page: RenderedPage): string[] {
  const problems: string[] = [];
  page.cells.forEach((cell, i) =>
    cell.outputs.forEach((o, j) => {
      const where = `code cell ${i} output ${j}`;
      if (o.boxes === 0) problems.push(`${where}: renders nothing (no output box)`);
      else if (!(o.width > 0 && o.height > 0)) problems.push(`${where}: an empty box (${o.width}×${o.height} px)`);
      else if (o.textLength === 0 && o.images + o.svgs + o.canvases === 0) problems.push(`${where}: an empty box (no text, image, svg or canvas)`);
      for (const src of o.undecoded) problems.push(`${where}: an <img> that did not decode (${src}…)`);
    }),
  );
  return problems;
}
