import { isAbortError } from "../util/abort";

/** What one scheduled run ended with. */
export type RunOutcome = { readonly kind: "done" } | { readonly kind: "stopped" } | { readonly kind: "superseded" } | { readonly kind: "error"; readonly error: unknown };

/**
 * Latest-wins scheduling of a cancellable task: {@link request} aborts the running task and makes
 * the newest request run next; requests that arrive while a task unwinds collapse into one. A
 * burst of N requests during one run therefore starts at most two runs (the one that was going,
 * then the newest). {@link stop} aborts without starting another.
 */
export class LatestWins {
  private controller: AbortController | undefined;
  private pending = false;
  private loop: Promise<void> | undefined;
  /** Runs started so far. */
  started = 0;

  constructor(
    private readonly task: (signal: AbortSignal) => Promise<void>,
    private readonly onOutcome: (outcome: RunOutcome) => void = () => {},
  ) {}

  /** True while a run is going. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Asks for a run with the newest inputs: cancels the running one, if any. */
  request(): void {
    this.pending = true;
    this.controller?.abort();
    this.loop ??= this.drain().finally(() => (this.loop = undefined));
  }

  /** Aborts the running run and forgets pending requests. */
  stop(): void {
    this.pending = false;
    this.controller?.abort();
  }

  /** Resolves once no run is going and none is pending. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async drain(): Promise<void> {
    // Let a burst of synchronous requests collapse before the first run starts.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending) {
      this.pending = false;
      const controller = new AbortController();
      this.controller = controller;
      this.started++;
      let outcome: RunOutcome;
      try {
        await this.task(controller.signal);
        outcome = { kind: "done" };
      } catch (error) {
        if (controller.signal.aborted && (isAbortError(error) || error === controller.signal.reason)) {
          outcome = this.pending ? { kind: "superseded" } : { kind: "stopped" };
        } else outcome = { kind: "error", error };
      }
      this.controller = undefined;
      this.onOutcome(outcome);
    }
  }
}
