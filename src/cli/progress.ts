/** Options of {@link ProgressBar}. */
export interface ProgressOptions {
  /** Without a terminal, also print a line when this long has passed since the last one (default 5000 ms). */
  readonly lineEveryMs?: number;
}

/**
 * Progress on stderr: a one-line bar redrawn in place on a terminal; plain lines when stderr is
 * not a terminal (a pipe, a log file, CI), one at each further 10 % and at least every
 * `lineEveryMs` while it runs, so a long run is never silent.
 */
export class ProgressBar {
  private readonly start = Date.now();
  private readonly mode: "bar" | "lines";
  private readonly lineEveryMs: number;
  private last = 0;
  private lastDecile = -1;

  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream = process.stderr, options: ProgressOptions = {}) {
    this.mode = Boolean(stream.isTTY) && !process.env.CI ? "bar" : "lines";
    this.lineEveryMs = options.lineEveryMs ?? 5_000;
  }

  /** Shows `done` of `total` with the elapsed time and an ETA: the bar throttled to 10 updates a second, lines as above. */
  update(done: number, total: number, note = ""): void {
    const now = Date.now();
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const elapsed = (now - this.start) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0;
    if (this.mode === "lines") {
      const decile = Math.floor(fraction * 10);
      if (decile <= this.lastDecile && now - this.last < this.lineEveryMs) return;
      this.lastDecile = Math.max(decile, this.lastDecile);
      this.last = now;
      this.stream.write(`${this.label}: ${Math.floor(fraction * 100)}% (${done}/${total}) ${elapsed.toFixed(1)}s, ETA ${eta.toFixed(1)}s${note ? ` ${note}` : ""}\n`);
      return;
    }
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30;
    const filled = Math.round(fraction * width);
    this.stream.write(`\r${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${elapsed.toFixed(1)}s, ETA ${eta.toFixed(1)}s ${note}`.padEnd(100));
  }

  /** Clears the bar's line (lines stay as they are). */
  done(): void {
    if (this.mode === "bar") this.stream.write(`\r${" ".repeat(100)}\r`);
  }
}
