/**
 * The explorer's static snapshot: its current view (the map of each method over the photo, the
 * region curves, the metrics table, the settings in one line) as one HTML block made without a
 * browser. The explorer shows it as its own display output right after the widget and replaces it
 * (update_display_data) when a run ends, so that a notebook saved with its outputs still shows the
 * explorer's last view in nbconvert's HTML, on a code host, or in a front-end without
 * lima-xai-widgets. JupyterLab with the extension hides it (widgets/src/plugin.ts), so a user
 * there sees one explorer.
 *
 * Images are <img> elements with data: URLs (PNG for the maps, SVG for the curves): JupyterLab's
 * sanitiser and Debian's nbconvert 6.5 keep those and strip inline <svg>.
 */
import { DIVISIONS, getDivision } from "../division/registry";
import { overlay } from "../image/colormap";
import { encodePng } from "../image/png";
import type { Figure } from "../plot/figures";
import { escapeXml as escape, figureSvg, svgImgHtml } from "../plot/svg";
import type { RgbImage, SaliencyMap } from "../types";
import { type ExplorerSettings, type MethodResult, type RunStatus, SNAPSHOT_CLASS } from "./protocol";

/** Colours of the shown and the compared method, as the live view draws them (widgets/src/explorer.ts). */
const COLOURS = ["#d62728", "#1f77b4"] as const;

/** What a snapshot shows. */
export interface SnapshotInput {
  readonly title: string;
  readonly modelName: string;
  readonly status: RunStatus;
  readonly run: number;
  readonly error: string;
  readonly settings: ExplorerSettings;
  /** |V| of the last run (0 before any). */
  readonly regions: number;
  /** Results of the last finished run (the method, then the compared one). */
  readonly results: readonly MethodResult[];
  /** The photo at the model's input size. */
  readonly image: RgbImage;
  /** The raw map of each result, same order (maps of older photos must not be passed). */
  readonly maps: readonly SaliencyMap[];
  /** Opacity of the map over the photo, 0..1. */
  readonly opacity: number;
}

/** The explorer's curves as a plotly figure: per method its insertion (solid) and deletion (dotted) curve. */
export function explorerCurvesFigure(results: readonly MethodResult[]): Figure {
  const data = results.flatMap((r, i) =>
    (["insertion", "deletion"] as const).map((kind) => ({
      type: "scatter",
      mode: "lines+markers",
      name: `${r.method} ${kind} (AUC ${r[kind].auc.toFixed(3)})`,
      x: r[kind].x,
      y: r[kind].y,
      line: { color: COLOURS[i % COLOURS.length], dash: kind === "insertion" ? "solid" : "dot" },
      marker: { size: 4 },
    })),
  );
  return {
    data,
    layout: {
      title: { text: `Region insertion / deletion — ${results[0]?.target_label ?? ""}` },
      xaxis: { title: { text: "fraction of the photo revealed / removed" }, range: [0, 1] },
      yaxis: { title: { text: "probability of the explained class" }, range: [0, 1.05] },
      width: 560,
      height: 300,
    },
  };
}

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "–");

/** The settings in one line: each method's options, the division, the class. */
export function settingsLine(settings: ExplorerSettings, regions: number): string {
  const params = (name: string) =>
    Object.entries(settings.params[name] ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  const parts = [`method ${settings.method} (${params(settings.method)})`];
  if (settings.compare) parts.push(`compared with ${settings.compare} (${params(settings.compare)})`);
  // The chosen strategy and its own parameters only (the division values hold every strategy's).
  const chosen = String(settings.division.division);
  const own = Object.hasOwn(DIVISIONS, chosen) ? getDivision(chosen).params.map((p) => p.name) : Object.keys(settings.division);
  const division = Object.entries(settings.division)
    .filter(([k]) => k === "division" || own.includes(k))
    .map(([k, v]) => (k === "division" ? String(v) : `${k} ${v}`))
    .join(", ");
  parts.push(`division ${division}${regions > 0 ? ` → |V| ${regions}` : ""}`);
  parts.push(`target ${settings.target < 0 ? "the prediction" : `class ${settings.target}`}`);
  return parts.join(" · ");
}

function metricsTable(results: readonly MethodResult[]): string {
  const rows: [string, (r: MethodResult) => string][] = [
    ["insertion AUC ↑", (r) => f3(r.metrics.insertion_auc)],
    ["deletion AUC ↓", (r) => f3(r.metrics.deletion_auc)],
    ...["25", "50", "75", "100"].map((p, i): [string, (r: MethodResult) => string] => [`highest confidence ≤${p} %`, (r) => f3(r.metrics.highest_confidence[i])]),
    ["best step", (r) => String(r.metrics.best_step)],
    ["forward passes", (r) => String(r.metrics.forward_passes)],
    ["cache hits", (r) => String(r.metrics.cache_hits)],
    ["time", (r) => `${(r.metrics.ms / 1000).toFixed(2)} s`],
  ];
  const cell = "border:1px solid #ccc;padding:2px 8px;text-align:left";
  const head = `<tr><th style="${cell}">explaining ${escape(results[0].target_label)} · |V| ${results[0].order.length}</th>${results.map((r) => `<th style="${cell}">${escape(r.title)}</th>`).join("")}</tr>`;
  const body = rows.map(([k, value]) => `<tr><th style="${cell};font-weight:normal">${escape(k)}</th>${results.map((r) => `<td style="${cell}">${escape(value(r))}</td>`).join("")}</tr>`).join("");
  return `<table class="lima-xai-snapshot-metrics" style="border-collapse:collapse;font-size:12px;width:auto">${head}${body}</table>`;
}

/** One image as a PNG <img>. */
function pngImg(rgb: Uint8ClampedArray, width: number, height: number, alt: string): string {
  return `<img src="data:image/png;base64,${encodePng(rgb, width, height).toString("base64")}" width="${width}" height="${height}" alt="${escape(alt)}"/>`;
}

/**
 * The snapshot's HTML (every text escaped). Before the first result it shows the photo and the
 * status; with results, each method's map over the photo, the curves and the metrics.
 */
export function snapshotHtml(input: SnapshotInput): string {
  const { image, results } = input;
  const figures: string[] = [];
  if (results.length === 0 || input.maps.length !== results.length) {
    figures.push(`<figure style="margin:0">${pngImg(Uint8ClampedArray.from(image.data), image.width, image.height, input.title)}<figcaption>${escape(input.title)}</figcaption></figure>`);
  } else {
    results.forEach((r, i) => {
      const rgb = overlay(image, input.maps[i], input.opacity);
      figures.push(`<figure style="margin:0">${pngImg(rgb, image.width, image.height, `${r.title} map of ${r.target_label}`)}<figcaption>${escape(r.title)} — ${escape(r.target_label)}</figcaption></figure>`);
    });
    figures.push(svgImgHtml(figureSvg(explorerCurvesFigure(results)), `insertion and deletion curves of ${results[0].target_label}`));
  }
  const status = input.status === "error" && input.error ? `error: ${input.error}` : input.status;
  return [
    `<div class="${SNAPSHOT_CLASS}" data-run="${input.run}" data-status="${escape(input.status)}" style="font:13px/1.4 system-ui,sans-serif;display:flex;flex-direction:column;gap:6px">`,
    `<div><b>${escape(input.title)} · ${escape(input.modelName)}</b> — explorer snapshot, run ${input.run} (${escape(status)})</div>`,
    `<div style="display:flex;gap:10px;flex-wrap:wrap;align-items:flex-start">${figures.join("")}</div>`,
    results.length > 0 ? metricsTable(results) : `<div>no result yet</div>`,
    `<div class="lima-xai-snapshot-settings" style="color:#444">${escape(settingsLine(input.settings, input.regions))}</div>`,
    `<div style="color:#777;font-size:11px">A static picture of the explorer's last view. The live explorer needs JupyterLab 4 with the lima-xai-widgets extension (lima-xai kernel install puts it in place).</div>`,
    `</div>`,
  ].join("\n");
}
