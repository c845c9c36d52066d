import { inspect } from "node:util";
import { encodePng } from "../image/png";
import type { Figure } from "../plot/figures";
import { figureSvg, svgImgHtml } from "../plot/svg";
import type { RgbImage } from "../types";
import { JUPYTER_DISPLAY, jupyterHost, type MimeBundle } from "./host";

const PNG_SIGNATURE = [137, 80, 78, 71];

function isFigure(v: unknown): v is Figure {
  return typeof v === "object" && v !== null && Array.isArray((v as Figure).data) && typeof (v as Figure).layout === "object" && Object.keys(v).every((k) => ["data", "layout", "config", "frames"].includes(k));
}

function isRgbImage(v: unknown): v is RgbImage {
  const img = v as RgbImage;
  return typeof v === "object" && v !== null && Number.isInteger(img.width) && Number.isInteger(img.height) && img.data instanceof Float32Array && img.data.length === img.width * img.height * 3;
}

function isPng(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length > 8 && PNG_SIGNATURE.every((b, i) => v[i] === b);
}

/**
 * A plotly figure's bundle: the interactive form (application/vnd.plotly.v1+json) and its static
 * fallback (src/plot/svg.ts) as image/svg+xml and as text/html holding it as an <img>.
 *
 * Why both: nbconvert's HTML exporter picks the first of its display_data_priority
 * (widget view, javascript, text/html, markdown, image/svg+xml, latex, png, jpeg, text/plain) and
 * knows no plotly type, so it shows the fallback; Debian's nbconvert 6.5 passes image/svg+xml
 * through lxml's clean_html, which removes every SVG child element, so text/html with an <img>
 * is what it must find. JupyterLab with lima-xai-widgets ranks its plotly renderer (40) before
 * text/html (50) and shows the chart. A figure the SVG renderer cannot draw keeps its
 * interactive form, and text/plain says why there is no static one.
 */
export function figureBundle(figure: Figure): MimeBundle {
  const plain = `Figure with ${figure.data.length} trace(s)`;
  try {
    const svg = figureSvg(figure);
    const title = (figure.layout as { title?: { text?: unknown } | string }).title;
    const alt = typeof title === "string" ? title : typeof title?.text === "string" ? title.text : plain;
    return { "application/vnd.plotly.v1+json": figure, "image/svg+xml": svg, "text/html": `<div class="lima-xai-figure">${svgImgHtml(svg, alt)}</div>`, "text/plain": plain };
  } catch (error) {
    return { "application/vnd.plotly.v1+json": figure, "text/plain": `${plain} (no static rendering: ${(error as Error).message})` };
  }
}

/**
 * The rich form of a value for Jupyter: its own `[Symbol.for("Jupyter.display")]()` bundle, a
 * plotly figure ({data, layout}) as a chart with its static SVG fallback ({@link figureBundle}), an RgbImage or PNG bytes as image/png, anything else
 * as text/plain.
 */
export async function toMimeBundle(value: unknown): Promise<MimeBundle> {
  const own = (value as Record<symbol, unknown> | null)?.[JUPYTER_DISPLAY];
  if (typeof own === "function") {
    const bundle = (await (own as () => MimeBundle | Promise<MimeBundle>).call(value)) ?? {};
    return { "text/plain": inspect(value, { depth: 1 }), ...bundle };
  }
  if (isFigure(value)) return figureBundle(value);
  if (isRgbImage(value)) {
    const bytes = Uint8ClampedArray.from(value.data);
    return { "image/png": encodePng(bytes, value.width, value.height).toString("base64"), "text/plain": `RgbImage ${value.width}×${value.height}` };
  }
  if (isPng(value)) return { "image/png": Buffer.from(value).toString("base64"), "text/plain": `PNG, ${value.length} bytes` };
  return { "text/plain": typeof value === "string" ? value : inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 }) };
}

/** Shows a value as rich output of the running cell (display_data) in our kernel; false outside it. */
export async function display(value: unknown, options: { displayId?: string; update?: boolean } = {}): Promise<boolean> {
  const host = jupyterHost();
  if (!host) return false;
  host.display(await toMimeBundle(value), options);
  return true;
}
