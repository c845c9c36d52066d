import type { Figure } from "../plot/figures";
import { escapeHtml, figuresPage } from "../plot/html";
import type { SummaryGroup, SummaryRow } from "./summary";

const COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

function methodsOf(rows: readonly SummaryRow[]): string[] {
  return [...new Set(rows.map((r) => r.method))];
}

/** Grouped bars with standard-error whiskers: one trace per method, one bar group per metric. */
function barsFigure(rows: readonly SummaryRow[], group: SummaryGroup, metrics: readonly [string, string][], title: string, yTitle: string): Figure {
  const data = methodsOf(rows).map((method, i) => {
    const cells = metrics.map(([metric]) => rows.find((r) => r.method === method && r.group === group && r.metric === metric));
    return {
      type: "bar",
      name: method,
      x: metrics.map(([, label]) => label),
      y: cells.map((c) => (c && c.n > 0 ? c.mean : null)),
      error_y: { type: "data", array: cells.map((c) => (c && Number.isFinite(c.stderr) ? c.stderr : 0)), visible: true },
      marker: { color: COLOURS[i % COLOURS.length] },
    };
  });
  return {
    data,
    layout: { title: { text: title }, barmode: "group", yaxis: { title: { text: yTitle } }, height: 380, margin: { l: 60, r: 20, t: 50, b: 50 } },
  };
}

function cell(row: SummaryRow | undefined): string {
  if (!row || row.n === 0) return "–";
  const digits = row.metric === "forwardPasses" || row.metric === "ms" ? 0 : 3;
  return `${row.mean.toFixed(digits)}${Number.isFinite(row.stderr) ? ` ± ${row.stderr.toFixed(digits)}` : ""}`;
}

/** The summary as an HTML table (every text escaped). */
function tableHtml(rows: readonly SummaryRow[]): string {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const keys = [...new Set(rows.map((r) => `${r.method}\u0000${r.group}`))];
  const head = `<tr><th>method</th><th>images</th><th>n</th>${metrics.map((m) => `<th>${escapeHtml(m)}</th>`).join("")}</tr>`;
  const body = keys.map((key) => {
    const [method, group] = key.split("\u0000");
    const cells = rows.filter((r) => r.method === method && r.group === group);
    const n = cells.find((r) => r.metric === "insertion")?.n ?? 0;
    return `<tr><td>${escapeHtml(method)}</td><td>${escapeHtml(group)}</td><td>${n}</td>${metrics.map((m) => `<td>${escapeHtml(cell(cells.find((r) => r.metric === m)))}</td>`).join("")}</tr>`;
  });
  return `<table>${head}${body.join("")}</table>`;
}

/**
 * A self-contained HTML page of an evaluation summary (plotly.js inlined): the table, the pixel
 * insertion/deletion and μFidelity bars (METHOD.md §6), the highest confidence on misclassified
 * images (LIMA eq. 15; on all images when none is known to be misclassified), and the cost.
 */
export function summaryHtml(rows: readonly SummaryRow[], title: string): string {
  const hcGroup: SummaryGroup = rows.some((r) => r.group === "misclassified") ? "misclassified" : "all";
  const hcMetrics = [...new Set(rows.filter((r) => r.metric.startsWith("highestConfidence_")).map((r) => r.metric))];
  const figures = [
    barsFigure(rows, "all", [["insertion", "insertion AUC ↑"], ["deletion", "deletion AUC ↓"], ["muFidelity", "μFidelity ↑"]], "Faithfulness, all images (pixel protocol)", "mean ± s.e."),
    barsFigure(rows, hcGroup, hcMetrics.map((m) => [m, `area ≤ ${Number(m.slice("highestConfidence_".length)) * 100}%`]), `Highest confidence, ${hcGroup} images`, "target score"),
    barsFigure(rows, "all", [["forwardPasses", "forward passes"]], "Cost per image", "forward passes"),
  ];
  const note = `<p>Mean ± standard error per method. Insertion and deletion are pixel-protocol AUCs, the same for every method; groups "correct" and "misclassified" compare the model's top-1 class with the true class.</p>`;
  return figuresPage(title, figures, `${note}\n${tableHtml(rows)}`);
}
