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
  private idleController: AbortController | undefined;
  /** Runs started so far. */
  started = 0;

  /**
   * `whenIdle`, if given, runs after a run ends "done" with nothing pending (e.g. prefetching the
   * neighbouring settings, src/search/prefetch.ts); the next request or stop aborts it at once.
   * Its errors are ignored: it is speculative work.
   */
  constructor(
    private readonly task: (signal: AbortSignal) => Promise<void>,
    private readonly onOutcome: (outcome: RunOutcome) => void = () => {},
    private readonly whenIdle?: (signal: AbortSignal) => Promise<void>,
  ) {}

  /** True while a run is going. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Asks for a run with the newest inputs: cancels the running one, if any. */
  request(): void {
    this.idleController?.abort();
    this.pending = true;
    this.controller?.abort();
    this.loop ??= this.drain().finally(() => (this.loop = undefined));
  }

  /** Aborts the running run and forgets pending requests. */
  stop(): void {
    this.idleController?.abort();
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
      if (outcome.kind === "done" && !this.pending && this.whenIdle) this.startIdle(this.whenIdle);
    }
  }

  /** The idle work in flight, if any (resolves when it ends, done or aborted). */
  idleWork: Promise<void> | undefined;

  private startIdle(work: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    this.idleController = controller;
    const running: Promise<void> = work(controller.signal).catch(() => {}).finally(() => {
      if (this.idleController === controller) this.idleController = undefined;
      if (this.idleWork === running) this.idleWork = undefined;
    });
    this.idleWork = running;
  }
}
