/** A one-line progress bar on a terminal (stderr); silent when stderr is not a TTY. */
export class ProgressBar {
  private readonly start = Date.now();
  private readonly enabled: boolean;
  private last = 0;

  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY) && !process.env.CI;
  }

  /** Redraws the bar for `done` of `total`, with an ETA; throttled to 10 updates a second. */
  update(done: number, total: number, note = ""): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.start) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0;
    this.stream.write(`\r${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${elapsed.toFixed(1)}s, ETA ${eta.toFixed(1)}s ${note}`.padEnd(100));
  }

  /** Clears the line. */
  done(): void {
    if (this.enabled) this.stream.write(`\r${" ".repeat(100)}\r`);
  }
}
