import { inspect } from "node:util";
import { encodePng } from "../image/png";
import type { Figure } from "../plot/figures";
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
 * The rich form of a value for Jupyter: its own `[Symbol.for("Jupyter.display")]()` bundle, a
 * plotly figure ({data, layout}) as a chart, an RgbImage or PNG bytes as image/png, anything else
 * as text/plain.
 */
export async function toMimeBundle(value: unknown): Promise<MimeBundle> {
  const own = (value as Record<symbol, unknown> | null)?.[JUPYTER_DISPLAY];
  if (typeof own === "function") {
    const bundle = (await (own as () => MimeBundle | Promise<MimeBundle>).call(value)) ?? {};
    return { "text/plain": inspect(value, { depth: 1 }), ...bundle };
  }
  if (isFigure(value)) return { "application/vnd.plotly.v1+json": value, "text/plain": `Figure with ${value.data.length} trace(s)` };
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
