import { escapeHtml } from "../plot/html";
import { JUPYTER_DISPLAY, type MimeBundle } from "./host";

/** A cell of a {@link table}: numbers are rounded for display, everything else is shown as text. */
export type TableCell = number | string | boolean | null | undefined;

/** Options of {@link table}; every field has a default. */
export interface TableOptions {
  /** Decimals shown for non-integer numbers (default 3; integers are shown whole). 0..12. */
  readonly digits?: number;
  /** A caption above the table (plain text; default none). */
  readonly caption?: string;
  /** Column order (default: the keys of the rows in order of first appearance). */
  readonly columns?: readonly string[];
}

/** A table of records that shows itself in a notebook as HTML, and as a Markdown pipe table in text. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, TableCell>>[];
  /** The table as Markdown (the text/plain form). */
  toString(): string;
  [JUPYTER_DISPLAY](): MimeBundle;
}

function cellText(v: TableCell, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toFixed(digits) : String(v);
  return String(v);
}

/**
 * Rows of records as a displayable table (the notebooks' tables): the cell's last value, or
 * `display(table(...))`, shows text/html; text/plain holds the same table in Markdown so that it
 * reads in any viewer. Throws a TypeError naming the bad row or cell.
 */
export function table(rows: readonly Readonly<Record<string, TableCell>>[], options: TableOptions = {}): Table {
  const digits = options.digits ?? 3;
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) throw new RangeError(`digits ${digits} is not allowed: use an integer in 0..12`);
  if (!Array.isArray(rows)) throw new TypeError(`table rows must be an array of objects, not ${JSON.stringify(rows)}`);
  rows.forEach((row, i) => {
    if (typeof row !== "object" || row === null || Array.isArray(row)) throw new TypeError(`table row ${i} must be an object, not ${JSON.stringify(row)}`);
    for (const [k, v] of Object.entries(row)) {
      if (v !== null && v !== undefined && !["number", "string", "boolean"].includes(typeof v)) throw new TypeError(`table row ${i}, column ${k}: ${typeof v} is not allowed (use a number, string, boolean or null)`);
    }
  });
  const columns = options.columns ? [...options.columns] : [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = rows.map((r) => columns.map((c) => cellText(r[c], digits)));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === "number"));
  const pipe = (cells: readonly string[]) => `| ${cells.map((s) => s.replace(/\|/g, "\\|")).join(" | ")} |`;
  const markdown = [
    ...(options.caption ? [options.caption, ""] : []),
    pipe(columns),
    pipe(numeric.map((n) => (n ? "---:" : "---"))),
    ...text.map(pipe),
  ].join("\n");
  const align = (i: number) => (numeric[i] ? ` style="text-align:right"` : "");
  const html = [
    "<table>",
    options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "",
    `<thead><tr>${columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join("")}</tr></thead>`,
    `<tbody>${text.map((cells) => `<tr>${cells.map((s, i) => `<td${align(i)}>${escapeHtml(s)}</td>`).join("")}</tr>`).join("")}</tbody>`,
    "</table>",
  ].join("");
  return {
    columns,
    rows,
    toString: () => markdown,
    [JUPYTER_DISPLAY]: () => ({ "text/html": html, "text/plain": markdown }),
  };
}
