import { readFileSync } from "node:fs";
import type { Figure } from "./figures";

let plotlySource: string | undefined;

/** The plotly.js bundle, read once from the plotly.js-dist-min package. */
export function plotlyBundle(): string {
  plotlySource ??= readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
  return plotlySource;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe to put inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * A self-contained HTML page (plotly.js inlined, works offline) drawing the figures, with an
 * optional block of already-escaped HTML above them.
 */
export function figuresPage(title: string, figures: readonly Figure[], bodyHtml = ""): string {
  const divs = figures.map((_, i) => `<div id="fig${i}"></div>`).join("\n");
  const draw = figures.map((f, i) => `Plotly.newPlot("fig${i}", ${scriptJson(f.data)}, ${scriptJson(f.layout)}, {responsive: true});`).join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}</style>
<script>${plotlyBundle()}</script></head>
<body><h1>${escapeHtml(title)}</h1>
${bodyHtml}
${divs}
<script>${draw}</script>
</body></html>
`;
}
