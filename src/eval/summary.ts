import { METRICS } from "../metrics/registry";
import { mean, standardError } from "../metrics/stats";
import { EVAL_METHODS } from "./methods";
import type { EvalRecord } from "./records";

/** Which images a summary row covers: all, or those the model got right / wrong (top-1 vs the true class). */
export type SummaryGroup = "all" | "correct" | "misclassified";

/** One cell of the summary: a metric's mean ± standard error over one method's images of a group. */
export interface SummaryRow {
  readonly method: string;
  readonly group: SummaryGroup;
  /** "insertion", "deletion", "muFidelity", "highestConfidence_0.25", …, "strongInteractions", "forwardPasses", "ms". */
  readonly metric: string;
  /** Records with a finite value (μFidelity is undefined for a constant map and left out). */
  readonly n: number;
  readonly mean: number;
  /** Standard error of the mean; NaN for fewer than two values. */
  readonly stderr: number;
}

/** The metric columns of a record, in display order. */
export function metricValues(record: EvalRecord): [string, number | null][] {
  return [
    ["insertion", record.insertion],
    ["deletion", record.deletion],
    ["muFidelity", record.muFidelity],
    ...Object.entries(record.highestConfidence ?? {})
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([p, v]) => [`highestConfidence_${p}`, v] as [string, number]),
    ["strongInteractions", record.strongInteractions],
    ...Object.entries(record.metrics ?? {}),
    ["forwardPasses", record.forwardPasses],
    ["ms", record.ms],
  ];
}

function methodOrder(records: readonly EvalRecord[]): string[] {
  const seen = [...new Set(records.map((r) => r.method))];
  const known = (EVAL_METHODS as readonly string[]).filter((m) => seen.includes(m));
  return [...known, ...seen.filter((m) => !known.includes(m))];
}

function groupOf(record: EvalRecord): SummaryGroup | undefined {
  if (record.correct === true) return "correct";
  if (record.correct === false) return "misclassified";
  return undefined;
}

/**
 * Mean ± standard error of every metric per method, over all images and, where the true class is
 * known, over correctly classified and misclassified images apart. Non-finite values and error
 * lines (pairs a queue run could not compute) are left out.
 */
export function summarise(all: readonly EvalRecord[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const records = all.filter((r) => r.error === undefined); // pairs that failed on every try (queue runs) have no values
  for (const method of methodOrder(records)) {
    const mine = records.filter((r) => r.method === method);
    for (const group of ["all", "correct", "misclassified"] as const) {
      const members = group === "all" ? mine : mine.filter((r) => groupOf(r) === group);
      if (members.length === 0) continue;
      const columns = new Map<string, number[]>();
      for (const r of members) {
        for (const [metric, v] of metricValues(r)) {
          if (!columns.has(metric)) columns.set(metric, []);
          if (typeof v === "number" && Number.isFinite(v)) columns.get(metric)!.push(v);
        }
      }
      for (const [metric, values] of columns) rows.push({ method, group, metric, n: values.length, mean: mean(values), stderr: standardError(values) });
    }
  }
  return rows;
}

function csvField(value: string | number): string {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The summary as CSV: `method,group,metric,n,mean,stderr`, one row per cell; undefined numbers empty. */
export function summaryCsv(rows: readonly SummaryRow[]): string {
  const lines = [["method", "group", "metric", "n", "mean", "stderr"].join(",")];
  for (const r of rows) lines.push([r.method, r.group, r.metric, r.n, r.mean, r.stderr].map(csvField).join(","));
  return `${lines.join("\n")}\n`;
}

/** Columns of the printed table: metric name → header. */
const TABLE_COLUMNS: readonly [string, string][] = [
  ["insertion", "insertion↑"],
  ["deletion", "deletion↓"],
  ["muFidelity", "μFidelity↑"],
  ["highestConfidence_0.25", "HC≤25%"],
  ["highestConfidence_0.5", "HC≤50%"],
  ["forwardPasses", "passes"],
  ["ms", "seconds"],
];

function formatCell(row: SummaryRow | undefined): string {
  if (!row || row.n === 0) return "–";
  const scale = row.metric === "ms" ? 1000 : 1;
  const digits = row.metric === "forwardPasses" ? 0 : row.metric === "ms" ? 2 : 3;
  const m = (row.mean / scale).toFixed(digits);
  return Number.isFinite(row.stderr) ? `${m} ± ${(row.stderr / scale).toFixed(digits)}` : m;
}

/** Columns of the metrics chosen beyond the default ones (records' `metrics`), headed by their registry label and direction. */
function extraColumns(rows: readonly SummaryRow[]): [string, string][] {
  const shown = new Set([...TABLE_COLUMNS.map(([k]) => k), "strongInteractions"]);
  const specs = new Map(METRICS.flatMap((m) => m.columns.map((c) => [c.key, c] as const)));
  const keys = [...new Set(rows.map((r) => r.metric))].filter((k) => !shown.has(k) && !k.startsWith("highestConfidence_") && specs.has(k));
  return keys.map((k) => [k, `${specs.get(k)!.label}${specs.get(k)!.better === "higher" ? "↑" : "↓"}`]);
}

/** The summary as a plain-text table (one line per method and group), for a terminal. */
export function summaryTable(rows: readonly SummaryRow[]): string {
  const keys = [...new Set(rows.map((r) => `${r.method}\u0000${r.group}`))];
  const columns = [...TABLE_COLUMNS.slice(0, -2), ...extraColumns(rows), ...TABLE_COLUMNS.slice(-2)];
  const header = ["method", "images", "n", ...columns.map(([, h]) => h)];
  const body = keys.map((key) => {
    const [method, group] = key.split("\u0000");
    const cells = rows.filter((r) => r.method === method && r.group === group);
    const n = cells.find((r) => r.metric === "insertion")?.n ?? 0;
    return [method, group, String(n), ...columns.map(([metric]) => formatCell(cells.find((r) => r.metric === metric)))];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
