/**
 * A static SVG rendering of the plotly figures this library makes (src/plot/figures.ts, the eval
 * report's grouped bars, the explorer's curves), made without a browser: the fallback beside a
 * figure's interactive form, for nbconvert's HTML, code hosts and any viewer without a plotly
 * renderer.
 *
 * What it draws: `scatter` traces (mode `lines`, `markers`, `lines+markers`; line colour, width
 * and dash; marker size, colour and symbol; gaps at null/NaN; `error_y` whiskers) and `bar` traces
 * (vertical, `barmode: "group"`, the default, or "overlay"; x values as categories in order of
 * first appearance; `error_y` whiskers), on linear axes (range from `layout.{x,y}axis.range`,
 * else from the data), with ticks, axis titles, the figure title and a legend of the trace names
 * (traces with `showlegend: false` left out). Text is plain text: every title, name and category
 * is XML-escaped, so plotly's HTML-like tags (`<b>`) show literally. Style attributes it does not
 * know are ignored.
 *
 * What it refuses: a trace type other than scatter and bar, a scatter mode with text, a marker
 * symbol outside {@link MARKER_SYMBOLS}, horizontal bars, stacked barmodes, log/date axes and
 * per-point colour arrays throw {@link FigureSvgError}, naming the value and what is supported.
 * Callers that display a figure (src/jupyter/mime.ts) catch it, keep the interactive form and say
 * in text/plain that there is no static rendering.
 */
import type { Figure } from "./figures";

/** A figure this module cannot draw; the message names the part and what is supported. */
export class FigureSvgError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "FigureSvgError";
  }
}

/** Trace types {@link figureSvg} draws. */
export const TRACE_TYPES = ["scatter", "bar"] as const;
/** Marker symbols {@link figureSvg} draws (plotly names). */
export const MARKER_SYMBOLS = ["circle", "circle-open", "square", "square-open", "diamond", "diamond-open", "triangle-up", "triangle-down", "cross", "x", "star", "star-open"] as const;
/** plotly's default colour sequence, used when a trace gives no colour. */
export const DEFAULT_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"] as const;

/** Options of {@link figureSvg}; every field has a default. */
export interface FigureSvgOptions {
  /** Width in px. Default `layout.width`, else 640. */
  readonly width?: number;
  /** Height in px. Default `layout.height`, else 360. */
  readonly height?: number;
  /** Font size of tick labels and the legend in px (titles are scaled from it). Default 12. */
  readonly fontSize?: number;
  /** CSS font family. Default "system-ui, sans-serif". */
  readonly fontFamily?: string;
}

type Rec = Record<string, unknown>;
type Dash = "solid" | "dot" | "dash" | "dashdot" | "longdash";

interface ScatterTrace {
  readonly kind: "scatter";
  readonly name: string;
  readonly legend: boolean;
  readonly x: (number | string)[];
  readonly y: (number | null)[];
  readonly errors: number[] | undefined;
  readonly lines: boolean;
  readonly markers: boolean;
  readonly colour: string;
  readonly lineColour: string;
  readonly lineWidth: number;
  readonly dash: Dash;
  readonly markerSize: number;
  readonly symbol: (typeof MARKER_SYMBOLS)[number];
}

interface BarTrace {
  readonly kind: "bar";
  readonly name: string;
  readonly legend: boolean;
  readonly x: string[];
  readonly y: (number | null)[];
  readonly errors: number[] | undefined;
  readonly colour: string;
}

type Trace = ScatterTrace | BarTrace;

const DASHES: Readonly<Record<Dash, string>> = { solid: "", dot: "2,3", dash: "6,4", dashdot: "6,3,2,3", longdash: "10,4" };

/** Escapes text for XML element content and attribute values; characters XML forbids become U+FFFD. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isRecord(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** plotly's title forms: a string or `{text}`. */
function titleText(v: unknown): string {
  if (typeof v === "string") return v;
  if (isRecord(v) && typeof v.text === "string") return v.text;
  return "";
}

/** A pixel coordinate written short: two decimals at most, no trailing zeros. */
function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function colourOf(v: unknown, where: string, fallback: string): string {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string") throw new FigureSvgError(`${where} is ${JSON.stringify(v)?.slice(0, 60)}: only one colour string per trace is supported, not per-point colours`);
  return v;
}

function numbers(v: unknown, where: string, allowNull: boolean): (number | null)[] {
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw new FigureSvgError(`${where} must be an array of numbers, not ${JSON.stringify(v)?.slice(0, 60)}`);
  return Array.from(v as ArrayLike<unknown>, (e, i) => {
    if (e === null || e === undefined || (typeof e === "number" && Number.isNaN(e))) {
      if (allowNull) return null;
      throw new FigureSvgError(`${where}[${i}] is ${String(e)}: a number is needed`);
    }
    if (typeof e !== "number" || !Number.isFinite(e)) throw new FigureSvgError(`${where}[${i}] is ${JSON.stringify(e)}: a finite number is needed`);
    return e;
  });
}

function errorArray(trace: Rec, where: string, length: number): number[] | undefined {
  const e = trace.error_y;
  if (!isRecord(e) || e.visible === false || e.array === undefined) return undefined;
  if (e.type !== undefined && e.type !== "data") throw new FigureSvgError(`${where}.error_y.type ${JSON.stringify(e.type)} is not supported: use "data" with an array`);
  const values = numbers(e.array, `${where}.error_y.array`, true).map((v) => v ?? 0);
  if (values.length !== length) throw new FigureSvgError(`${where}.error_y.array has ${values.length} values for ${length} points`);
  return values;
}

/** Reads and checks one trace; `index` picks the default colour. */
function readTrace(raw: unknown, index: number): Trace {
  const where = `trace ${index}`;
  if (!isRecord(raw)) throw new FigureSvgError(`${where} is not an object`);
  const type = raw.type ?? "scatter";
  const name = typeof raw.name === "string" ? raw.name : typeof raw.name === "number" ? String(raw.name) : `trace ${index}`;
  const legend = raw.showlegend !== false;
  const marker = isRecord(raw.marker) ? raw.marker : {};
  const fallback = DEFAULT_COLOURS[index % DEFAULT_COLOURS.length];
  if (type === "bar") {
    if (raw.orientation !== undefined && raw.orientation !== "v") throw new FigureSvgError(`${where}: bar orientation ${JSON.stringify(raw.orientation)} is not supported: only vertical bars ("v")`);
    if (!Array.isArray(raw.x)) throw new FigureSvgError(`${where}.x must be an array of categories`);
    const y = numbers(raw.y, `${where}.y`, true);
    if (raw.x.length !== y.length) throw new FigureSvgError(`${where} has ${raw.x.length} x values and ${y.length} y values`);
    return { kind: "bar", name, legend, x: raw.x.map((v) => String(v)), y, errors: errorArray(raw, where, y.length), colour: colourOf(marker.color, `${where}.marker.color`, fallback) };
  }
  if (type !== "scatter") throw new FigureSvgError(`cannot draw ${where} (${JSON.stringify(name)}) of type ${JSON.stringify(type)} as SVG: supported trace types are ${TRACE_TYPES.join(", ")}`);
  const y = numbers(raw.y, `${where}.y`, true);
  let x: (number | string)[];
  if (raw.x === undefined) x = y.map((_, i) => i);
  else if (Array.isArray(raw.x) && raw.x.every((v) => typeof v === "string")) x = raw.x as string[];
  else x = numbers(raw.x, `${where}.x`, true).map((v) => v ?? NaN);
  if (x.length !== y.length) throw new FigureSvgError(`${where} has ${x.length} x values and ${y.length} y values`);
  const mode = raw.mode ?? (y.length < 20 ? "lines+markers" : "lines");
  const parts = typeof mode === "string" ? mode.split("+") : [];
  if (parts.length === 0 || !parts.every((p) => p === "lines" || p === "markers")) {
    throw new FigureSvgError(`${where} has mode ${JSON.stringify(mode)}: supported modes are lines, markers, lines+markers`);
  }
  const line = isRecord(raw.line) ? raw.line : {};
  const colour = colourOf(marker.color, `${where}.marker.color`, colourOf(line.color, `${where}.line.color`, fallback));
  const dash = line.dash ?? "solid";
  if (typeof dash !== "string" || !(dash in DASHES)) throw new FigureSvgError(`${where}.line.dash ${JSON.stringify(dash)} is not supported: use one of ${Object.keys(DASHES).join(", ")}`);
  const symbol = marker.symbol ?? "circle";
  if (typeof symbol !== "string" || !(MARKER_SYMBOLS as readonly string[]).includes(symbol)) throw new FigureSvgError(`${where}.marker.symbol ${JSON.stringify(symbol)} is not supported: use one of ${MARKER_SYMBOLS.join(", ")}`);
  const size = typeof marker.size === "number" && marker.size > 0 ? marker.size : 6;
  const width = typeof line.width === "number" && line.width >= 0 ? line.width : 2;
  return {
    kind: "scatter",
    name,
    legend,
    x,
    y,
    errors: errorArray(raw, where, y.length),
    lines: parts.includes("lines"),
    markers: parts.includes("markers"),
    colour,
    lineColour: colourOf(line.color, `${where}.line.color`, colour),
    lineWidth: width,
    dash: dash as Dash,
    markerSize: size,
    symbol: symbol as ScatterTrace["symbol"],
  };
}

/** Tick values of a linear range: steps of 1, 2 or 5 × 10^k, about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => span / s <= target) ?? 10 * power;
  const first = Math.ceil(lo / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Tick label: as many decimals as the step needs. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9) + (String(step / 10 ** Math.floor(Math.log10(step))).includes(".") ? 1 : 0)));
  return v.toFixed(decimals).replace(/^-0(\.0*)?$/, "0$1");
}

function axisRange(layoutAxis: Rec, values: number[], includeZero: boolean, where: string): [number, number] {
  if (layoutAxis.type !== undefined && layoutAxis.type !== "linear" && layoutAxis.type !== "-" && layoutAxis.type !== "category") {
    throw new FigureSvgError(`layout.${where}.type ${JSON.stringify(layoutAxis.type)} is not supported: only linear (and category x) axes`);
  }
  const given = layoutAxis.range;
  if (layoutAxis.autorange !== true && Array.isArray(given) && given.length === 2 && given.every((v) => typeof v === "number" && Number.isFinite(v)) && given[0] !== given[1]) {
    return [given[0] as number, given[1] as number];
  }
  let lo = Math.min(...values, ...(includeZero ? [0] : []));
  let hi = Math.max(...values, ...(includeZero ? [0] : []));
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.5;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.05;
  // A bar axis starts at zero exactly, as plotly's does.
  return [includeZero && lo === 0 ? 0 : lo - pad, includeZero && hi === 0 ? 0 : hi + pad];
}

/** The path of a marker symbol of size `s` (diameter, px) centred at (x, y); open symbols are stroked only. */
function markerSvg(symbol: ScatterTrace["symbol"], x: number, y: number, s: number, colour: string): string {
  const r = s / 2;
  const open = symbol.endsWith("-open");
  const paint = open ? `fill="none" stroke="${colour}" stroke-width="1.5"` : `fill="${colour}"`;
  const base = symbol.replace(/-open$/, "");
  const at = (dx: number, dy: number) => `${num(x + dx)},${num(y + dy)}`;
  switch (base) {
    case "circle":
      return `<circle class="marker" cx="${num(x)}" cy="${num(y)}" r="${num(r)}" ${paint}/>`;
    case "square":
      return `<rect class="marker" x="${num(x - r)}" y="${num(y - r)}" width="${num(s)}" height="${num(s)}" ${paint}/>`;
    case "diamond":
      return `<polygon class="marker" points="${[at(0, -r * 1.3), at(r * 1.3, 0), at(0, r * 1.3), at(-r * 1.3, 0)].join(" ")}" ${paint}/>`;
    case "triangle-up":
      return `<polygon class="marker" points="${[at(0, -r * 1.2), at(r * 1.1, r * 0.8), at(-r * 1.1, r * 0.8)].join(" ")}" ${paint}/>`;
    case "triangle-down":
      return `<polygon class="marker" points="${[at(0, r * 1.2), at(r * 1.1, -r * 0.8), at(-r * 1.1, -r * 0.8)].join(" ")}" ${paint}/>`;
    case "cross":
    case "x": {
      const t = r * 0.35;
      const arm = [at(-t, -r), at(t, -r), at(t, -t), at(r, -t), at(r, t), at(t, t), at(t, r), at(-t, r), at(-t, t), at(-r, t), at(-r, -t), at(-t, -t)].join(" ");
      const turn = base === "x" ? ` transform="rotate(45 ${num(x)} ${num(y)})"` : "";
      return `<polygon class="marker" points="${arm}"${turn} ${paint}/>`;
    }
    case "star": {
      const points: string[] = [];
      for (let k = 0; k < 10; k++) {
        const radius = k % 2 === 0 ? r * 1.2 : r * 0.5;
        const angle = -Math.PI / 2 + (k * Math.PI) / 5;
        points.push(at(radius * Math.cos(angle), radius * Math.sin(angle)));
      }
      return `<polygon class="marker" points="${points.join(" ")}" ${paint}/>`;
    }
    default:
      throw new FigureSvgError(`marker symbol ${JSON.stringify(symbol)} is not supported`);
  }
}

/** FNV-1a of a string, for an id that differs between figures (inline SVGs share one id space). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/**
 * Draws a plotly figure as a standalone SVG document (a string, no browser). See the module
 * comment for what is drawn and what is refused ({@link FigureSvgError}). The plot area is the
 * `<rect class="plot-area">`; a point (x, y) lands at
 * `left + (x − x0)/(x1 − x0)·width, top + (y1 − y)/(y1 − y0)·height` for the axis ranges
 * [x0, x1] and [y0, y1] written in its `data-x-range` / `data-y-range` attributes.
 */
export function figureSvg(figure: Figure, options: FigureSvgOptions = {}): string {
  if (!isRecord(figure) || !Array.isArray(figure.data)) throw new FigureSvgError("a figure is {data: trace[], layout}");
  const layout: Rec = isRecord(figure.layout) ? figure.layout : {};
  const traces = figure.data.map((t, i) => readTrace(t, i));
  const width = options.width ?? (typeof layout.width === "number" ? layout.width : 640);
  const height = options.height ?? (typeof layout.height === "number" ? layout.height : 360);
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isFinite(v) || v < 120 || v > 4000) throw new RangeError(`${name} ${v} is not allowed: use 120..4000 px`);
  }
  const font = options.fontSize ?? 12;
  const family = escapeXml(options.fontFamily ?? "system-ui, sans-serif");
  const barmode = layout.barmode ?? "group";
  if (barmode !== "group" && barmode !== "overlay") throw new FigureSvgError(`layout.barmode ${JSON.stringify(barmode)} is not supported: use "group" or "overlay"`);
  const xaxis: Rec = isRecord(layout.xaxis) ? layout.xaxis : {};
  const yaxis: Rec = isRecord(layout.yaxis) ? layout.yaxis : {};
  const bars = traces.filter((t): t is BarTrace => t.kind === "bar");
  const categorical = bars.length > 0 || traces.some((t) => t.kind === "scatter" && t.x.some((v) => typeof v === "string"));
  if (categorical && traces.some((t) => t.kind === "scatter" && t.x.some((v) => typeof v === "number"))) {
    throw new FigureSvgError("numeric scatter x values on a category axis (bars or text x) are not supported: give every trace category x values");
  }
  const categories = categorical ? [...new Set(traces.flatMap((t) => t.x.map(String)))] : [];

  // Layout boxes: title on top, legend at the right, ticks and axis titles at the left and bottom.
  const title = titleText(layout.title);
  const legendEntries = layout.showlegend === false ? [] : traces.filter((t) => t.legend);
  const showLegend = legendEntries.length > 0 && (layout.showlegend === true || traces.length > 1);
  const charW = font * 0.6;
  const legendW = showLegend ? Math.min(width * 0.4, 34 + Math.max(...legendEntries.map((t) => t.name.length)) * charW) : 0;
  const yTitle = titleText(yaxis.title);
  const xTitle = titleText(xaxis.title);
  const margin = isRecord(layout.margin) ? layout.margin : {};
  const m = (k: string, d: number) => (typeof margin[k] === "number" ? Math.max(d, margin[k] as number) : d);
  const left = m("l", yTitle ? 64 : 48);
  const top = m("t", title ? 44 : 16);
  const bottom = m("b", xTitle ? 52 : 32);
  const right = m("r", 12) + legendW;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  if (plotW < 20 || plotH < 20) throw new RangeError(`a ${width}×${height} px figure leaves no room to plot: make it larger`);

  const yValues = traces.flatMap((t) => t.y.flatMap((v, i) => (v === null ? [] : t.errors ? [v - t.errors[i], v + t.errors[i]] : [v])));
  const [y0, y1] = axisRange(yaxis, yValues, bars.length > 0, "yaxis");
  const yPx = (v: number) => top + ((y1 - v) / (y1 - y0)) * plotH;
  let xPx: (v: number | string) => number;
  let xRange: [number, number];
  const band = categorical ? plotW / Math.max(1, categories.length) : 0;
  if (categorical) {
    xRange = [-0.5, categories.length - 0.5];
    xPx = (v) => left + (categories.indexOf(String(v)) + 0.5) * band;
  } else {
    const xs = traces.flatMap((t) => (t.x as number[]).filter((v, i) => Number.isFinite(v) && t.y[i] !== null));
    xRange = axisRange(xaxis, xs, false, "xaxis");
    xPx = (v) => left + (((v as number) - xRange[0]) / (xRange[1] - xRange[0])) * plotW;
  }

  const out: string[] = [];
  const clip = `lima-clip-${hash(JSON.stringify(figure.data).slice(0, 20000) + title)}`;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${family}" font-size="${font}">`);
  if (title) out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<defs><clipPath id="${clip}"><rect x="${num(left)}" y="${num(top)}" width="${num(plotW)}" height="${num(plotH)}"/></clipPath></defs>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<rect class="plot-area" x="${num(left)}" y="${num(top)}" width="${num(plotW)}" height="${num(plotH)}" fill="#f7f7f9" data-x-range="${xRange.join(",")}" data-y-range="${y0},${y1}"/>`);

  // Grid and ticks.
  const yTicks = niceTicks(Math.min(y0, y1), Math.max(y0, y1));
  const yStep = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
  out.push(`<g class="y-ticks" text-anchor="end" fill="#444">`);
  for (const t of yTicks) {
    const py = yPx(t);
    out.push(`<line x1="${num(left)}" x2="${num(left + plotW)}" y1="${num(py)}" y2="${num(py)}" stroke="#dddddd"/><text class="tick" data-value="${t}" x="${num(left - 6)}" y="${num(py + font * 0.35)}">${escapeXml(tickLabel(t, yStep))}</text>`);
  }
  out.push(`</g>`);
  out.push(`<g class="x-ticks" text-anchor="middle" fill="#444">`);
  if (categorical) {
    for (const c of categories) out.push(`<text class="tick" data-value="${escapeXml(c)}" x="${num(xPx(c))}" y="${num(top + plotH + font + 6)}">${escapeXml(c)}</text>`);
  } else {
    const xTicks = niceTicks(Math.min(...xRange), Math.max(...xRange));
    const xStep = xTicks.length > 1 ? xTicks[1] - xTicks[0] : 1;
    for (const t of xTicks) {
      const px = xPx(t);
      out.push(`<line x1="${num(px)}" x2="${num(px)}" y1="${num(top)}" y2="${num(top + plotH)}" stroke="#dddddd"/><text class="tick" data-value="${t}" x="${num(px)}" y="${num(top + plotH + font + 6)}">${escapeXml(tickLabel(t, xStep))}</text>`);
    }
  }
  out.push(`</g>`);
  out.push(`<rect x="${num(left)}" y="${num(top)}" width="${num(plotW)}" height="${num(plotH)}" fill="none" stroke="#888888"/>`);
  if (y0 < 0 && y1 > 0) out.push(`<line x1="${num(left)}" x2="${num(left + plotW)}" y1="${num(yPx(0))}" y2="${num(yPx(0))}" stroke="#555555"/>`);

  // Traces, clipped to the plot area.
  out.push(`<g clip-path="url(#${clip})">`);
  const whisker = (px: number, v: number, e: number, colour: string, half: number) => {
    const a = yPx(v - e), b = yPx(v + e);
    return `<path class="error" d="M${num(px)},${num(a)}V${num(b)}M${num(px - half)},${num(a)}H${num(px + half)}M${num(px - half)},${num(b)}H${num(px + half)}" stroke="${colour}" stroke-width="1.5" fill="none"/>`;
  };
  const groupW = band * 0.8;
  bars.forEach((t, k) => {
    const slotW = barmode === "group" ? groupW / bars.length : groupW;
    const colour = escapeXml(t.colour);
    out.push(`<g class="trace bar" data-name="${escapeXml(t.name)}">`);
    t.y.forEach((v, i) => {
      if (v === null) return;
      const cx = xPx(t.x[i]) - groupW / 2 + (barmode === "group" ? k * slotW : 0);
      const zero = yPx(Math.min(Math.max(0, Math.min(y0, y1)), Math.max(y0, y1)));
      const end = yPx(v);
      out.push(`<rect class="bar" data-x="${escapeXml(t.x[i])}" data-y="${v}" x="${num(cx)}" y="${num(Math.min(zero, end))}" width="${num(slotW)}" height="${num(Math.abs(end - zero))}" fill="${colour}"/>`);
      if (t.errors && t.errors[i] > 0) out.push(whisker(cx + slotW / 2, v, t.errors[i], "#333333", Math.min(6, slotW / 3)));
    });
    out.push(`</g>`);
  });
  for (const t of traces) {
    if (t.kind !== "scatter") continue;
    out.push(`<g class="trace scatter" data-name="${escapeXml(t.name)}">`);
    const pts = t.x.map((x, i) => (t.y[i] === null || (typeof x === "number" && !Number.isFinite(x)) ? null : ([xPx(x), yPx(t.y[i]!)] as const)));
    if (t.lines) {
      const segments: string[][] = [[]];
      for (const p of pts) {
        if (p === null) segments.push([]);
        else segments[segments.length - 1].push(`${num(p[0])},${num(p[1])}`);
      }
      const dash = DASHES[t.dash] ? ` stroke-dasharray="${DASHES[t.dash]}"` : "";
      for (const s of segments.filter((s) => s.length > 1)) out.push(`<polyline class="line" points="${s.join(" ")}" fill="none" stroke="${escapeXml(t.lineColour)}" stroke-width="${num(t.lineWidth)}"${dash} stroke-linejoin="round"/>`);
    }
    if (t.errors) pts.forEach((p, i) => p && t.errors![i] > 0 && out.push(whisker(p[0], t.y[i]!, t.errors![i], escapeXml(t.colour), 4)));
    if (t.markers) for (const p of pts) if (p) out.push(markerSvg(t.symbol, p[0], p[1], t.markerSize, escapeXml(t.colour)));
    out.push(`</g>`);
  }
  out.push(`</g>`);

  // Titles.
  if (title) out.push(`<text class="title" x="${num(width / 2)}" y="${num(Math.min(top - 14, 26))}" text-anchor="middle" font-size="${num(font * 1.35)}" fill="#222">${escapeXml(title)}</text>`);
  if (xTitle) out.push(`<text class="axis-title x" x="${num(left + plotW / 2)}" y="${num(top + plotH + font * 2 + 16)}" text-anchor="middle" fill="#222">${escapeXml(xTitle)}</text>`);
  if (yTitle) {
    const tx = Math.max(font, left - 44), ty = top + plotH / 2;
    out.push(`<text class="axis-title y" x="${num(tx)}" y="${num(ty)}" transform="rotate(-90 ${num(tx)} ${num(ty)})" text-anchor="middle" fill="#222">${escapeXml(yTitle)}</text>`);
  }

  // Legend: one row per named trace, its line and marker as drawn.
  if (showLegend) {
    const lx = left + plotW + 14;
    out.push(`<g class="legend">`);
    legendEntries.forEach((t, i) => {
      const ly = top + 8 + i * (font + 8);
      const colour = escapeXml(t.colour);
      out.push(`<g class="legend-item" data-name="${escapeXml(t.name)}">`);
      if (t.kind === "bar") out.push(`<rect x="${num(lx)}" y="${num(ly - 5)}" width="18" height="10" fill="${colour}"/>`);
      else {
        if (t.lines) out.push(`<line x1="${num(lx)}" x2="${num(lx + 18)}" y1="${num(ly)}" y2="${num(ly)}" stroke="${escapeXml(t.lineColour)}" stroke-width="${num(Math.min(3, t.lineWidth))}"${DASHES[t.dash] ? ` stroke-dasharray="${DASHES[t.dash]}"` : ""}/>`);
        if (t.markers) out.push(markerSvg(t.symbol, lx + 9, ly, Math.min(10, t.markerSize), colour));
      }
      out.push(`<text x="${num(lx + 24)}" y="${num(ly + font * 0.35)}" fill="#222">${escapeXml(t.name)}</text></g>`);
    });
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}

/** An SVG document as an <img> with a data: URL: it survives nbconvert's and JupyterLab's HTML sanitisers, which strip inline <svg>. */
export function svgImgHtml(svg: string, alt: string): string {
  const size = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  const attrs = size ? ` width="${size[1]}" height="${size[2]}"` : "";
  const text = escapeXml(alt);
  return `<img src="data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}"${attrs} alt="${text}"/>`;
}

