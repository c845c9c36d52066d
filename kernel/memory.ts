/**
 * Out-of-memory guard for cells. V8 kills a process that exhausts its heap without giving
 * JavaScript a chance to react, so the check runs on a second thread (./memory-watch.ts), which
 * reads the main thread's heap use every few milliseconds while a cell runs and stops the cell
 * (with SIGINT, which breaks synchronous code as an interrupt does) before the heap is full.
 * Limit: code that runs after an await is not broken by SIGINT, so a cell that fills the heap
 * there still ends the process. The kernel then answers with a MemoryError naming the heap use and
 * the limit, and keeps serving.
 */
import path from "node:path";
import { getHeapStatistics } from "node:v8";
import { Worker } from "node:worker_threads";

/** Slots of the state shared with the watchdog (an Int32Array). */
export const Slot = {
  /** 1 while a cell runs (set by the main thread). */
  Running: 0,
  /** 0 nothing done; 1 SIGINT sent (set by the watchdog, cleared per cell). */
  Stage: 1,
  /** Heap in use (MiB) when the watchdog acted. */
  UsedMb: 2,
  /** Heap in use (MiB) when the cell started. */
  StartMb: 3,
} as const;

/** What the watchdog thread receives. */
export interface WatchData {
  readonly shared: SharedArrayBuffer;
  readonly limitBytes: number;
  readonly fraction: number;
  readonly intervalMs: number;
}

export interface MemoryGuardOptions {
  /**
   * Share of V8's heap limit (`heap_size_limit`, set by `--max-old-space-size`) at which a cell
   * is stopped (default 0.8). A cell that started with much in use already gets half of what was
   * left, up to 95 % of the limit.
   */
  readonly fraction?: number;
  /** How often the heap is read while a cell runs, in ms (default 50). */
  readonly intervalMs?: number;
}

/** What the guard did to a cell. */
export interface MemoryStop {
  /** Heap in use when the cell was stopped (MiB). */
  readonly usedMb: number;
  /** V8's heap limit (MiB). */
  readonly limitMb: number;
  /** Heap in use after the cell, garbage collected (MiB); undefined when it could not be measured. */
  readonly afterMb?: number;
}

const MB = 2 ** 20;

export class MemoryGuard {
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * 4));
  private readonly worker: Worker;
  private readonly limitBytes = getHeapStatistics().heap_size_limit;

  constructor(options: MemoryGuardOptions = {}) {
    const data: WatchData = {
      shared: this.state.buffer as SharedArrayBuffer,
      limitBytes: this.limitBytes,
      fraction: options.fraction ?? 0.8,
      intervalMs: options.intervalMs ?? 50,
    };
    this.worker = new Worker(path.join(__dirname, "memory-watch.js"), { workerData: data });
    this.worker.unref();
    this.worker.on("error", () => undefined);
  }

  /** Marks the start of a cell. */
  cellStarted(): void {
    Atomics.store(this.state, Slot.Stage, 0);
    Atomics.store(this.state, Slot.StartMb, Math.round(getHeapStatistics().used_heap_size / MB));
    Atomics.store(this.state, Slot.Running, 1);
  }

  /** Marks the end of a cell; says whether (and at what heap use) the guard stopped it. */
  async cellFinished(): Promise<MemoryStop | undefined> {
    Atomics.store(this.state, Slot.Running, 0);
    const stage = Atomics.exchange(this.state, Slot.Stage, 0);
    if (stage === 0) return undefined;
    const usedMb = Atomics.load(this.state, Slot.UsedMb);
    return { usedMb, limitMb: Math.round(this.limitBytes / MB), afterMb: await this.measure() };
  }

  /** Heap in use after a full garbage collection (MiB), or undefined. */
  private measure(): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), 3000);
      const onMessage = (message: { type: string; used?: number }) => {
        if (message.type === "measured") done(message.used !== undefined && message.used >= 0 ? Math.round(message.used / MB) : undefined);
      };
      const done = (value: number | undefined) => {
        clearTimeout(timer);
        this.worker.off("message", onMessage);
        resolve(value);
      };
      this.worker.on("message", onMessage);
      this.worker.postMessage({ type: "measure" });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The error a stopped cell reports. */
export function memoryError(stop: MemoryStop): { ename: string; evalue: string; traceback: string[] } {
  const after =
    stop.afterMb === undefined
      ? ""
      : stop.afterMb > 0.5 * stop.limitMb
        ? ` After the cell, ${stop.afterMb} MiB are still in use: free large values the session keeps (assign undefined to them) or restart the kernel.`
        : ` After the cell, ${stop.afterMb} MiB are in use; the kernel goes on.`;
  const evalue = `out of memory: the cell was stopped when the JavaScript heap reached ${stop.usedMb} MiB of its ${stop.limitMb} MiB limit.${after} (A larger limit: start the kernel's node with --max-old-space-size=<MiB>.)`;
  return { ename: "MemoryError", evalue, traceback: [`MemoryError: ${evalue}`] };
}
