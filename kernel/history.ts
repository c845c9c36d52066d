/**
 * The session's input history for history_request (messaging spec "History"): every executed
 * cell with its line number (the execution count) and its text/plain result. Kept in memory, so
 * one kernel process is one session.
 */

/** One history entry as Jupyter sends it: [session, line, input] or [session, line, [input, output]]. */
export type HistoryEntry = [number, number, string | [string, string | null]];

/** The fields of a history_request this store understands. */
export interface HistoryQuery {
  readonly hist_access_type?: string;
  readonly output?: boolean;
  readonly n?: number | null;
  readonly session?: number;
  readonly start?: number;
  readonly stop?: number | null;
  readonly pattern?: string;
  readonly unique?: boolean;
}

/** The number of this (only) session: IPython numbers sessions from 1; 0 means "the current one". */
export const SESSION = 1;

interface Line {
  readonly line: number;
  readonly input: string;
  output: string | null;
}

/** SQLite GLOB semantics (what IPython's history search uses): `*`, `?`, whole-string match. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

export class History {
  private readonly lines: Line[] = [];

  /** Records an executed cell. */
  add(line: number, input: string): void {
    this.lines.push({ line, input, output: null });
  }

  /** Records the text/plain result of line `line`. */
  setOutput(line: number, output: string): void {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      if (this.lines[i].line === line) {
        this.lines[i].output = output;
        return;
      }
    }
  }

  /** Answers a history_request: tail, range or search; anything else gets an empty list. */
  query(q: HistoryQuery): HistoryEntry[] {
    const selected = this.select(q);
    return selected.map((l) => [SESSION, l.line, q.output ? [l.input, l.output] : l.input]);
  }

  private select(q: HistoryQuery): Line[] {
    const last = (lines: Line[], n: number | null | undefined) => (typeof n === "number" && n >= 0 ? lines.slice(Math.max(0, lines.length - n)) : lines);
    switch (q.hist_access_type) {
      case "tail":
        return last(this.lines, q.n ?? 10);
      case "range": {
        if (q.session !== undefined && q.session !== 0 && q.session !== SESSION) return [];
        const start = q.start ?? 0;
        const stop = q.stop ?? Infinity;
        return this.lines.filter((l) => l.line >= start && l.line < stop);
      }
      case "search": {
        const re = globToRegExp(q.pattern ?? "*");
        let found = this.lines.filter((l) => re.test(l.input));
        if (q.unique) found = found.filter((l, i) => !found.slice(i + 1).some((later) => later.input === l.input));
        return last(found, q.n);
      }
      default:
        return [];
    }
  }
}
