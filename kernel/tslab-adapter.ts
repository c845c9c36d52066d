/**
 * The one place that touches tslab (unmaintained): its TypeScript converter and executor, seen
 * through small local interfaces. The executor reports the last expression through `log` and
 * failures through `error`; this adapter turns them into an outcome.
 */
import { format } from "node:util";

/** What one execution produced. */
export type Outcome =
  | { readonly ok: true; readonly value?: unknown; readonly hasValue: boolean }
  | { readonly ok: false; readonly error: { readonly ename: string; readonly evalue: string; readonly traceback: string[] } };

export interface CompletionResult {
  readonly start: number;
  readonly end: number;
  readonly candidates: string[];
}

export interface InspectionResult {
  readonly text: string;
}

interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  inspect(src: string, position: number): { displayParts?: { text: string }[]; documentation?: { text: string }[] } | undefined;
  complete(src: string, position: number): CompletionResult;
  interrupt(): void;
  reset(): void;
  close(): void;
}

interface TslabConverter {
  close(): void;
}

interface TslabModules {
  converter: { createConverter(o: { isJS?: boolean; isBrowser?: boolean }): TslabConverter; isCompleteCode(src: string): { completed: boolean; indent?: string } };
  executor: { createExecutor(rootDir: string, convs: { node: TslabConverter; browser: TslabConverter; close(): void }, console: { log(...a: unknown[]): void; error(...a: unknown[]): void }): TslabExecutor };
}

function loadTslab(): TslabModules {
  // tslab ships no "exports" map and no types for these paths: load them as plain CommonJS.
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    converter: require("tslab/dist/converter") as TslabModules["converter"],
    executor: require("tslab/dist/executor") as TslabModules["executor"],
  };
}

/** Turns whatever a cell threw into Jupyter's ename / evalue / traceback. */
export function describeError(thrown: unknown): { ename: string; evalue: string; traceback: string[] } {
  if (thrown instanceof Error) {
    const stack = (thrown.stack ?? `${thrown.name}: ${thrown.message}`).split("\n").filter((l) => !/node:internal|tslab\/dist|kernel\/(tslab-adapter|kernel)\./.test(l));
    return { ename: thrown.name || "Error", evalue: thrown.message, traceback: stack };
  }
  return { ename: "Error", evalue: format(thrown), traceback: [`Uncaught ${format(thrown)}`] };
}

/** A TypeScript session: executes cells, completes, inspects. */
export class TypeScriptSession {
  private readonly tslab = loadTslab();
  private readonly node: TslabConverter;
  private browser?: TslabConverter;
  private readonly executor: TslabExecutor;
  private value: { set: boolean; value?: unknown } = { set: false };
  private errors: unknown[] = [];
  private diagnostics: string[] = [];

  constructor(rootDir: string) {
    this.node = this.tslab.converter.createConverter({ isJS: false, isBrowser: false });
    const session = this;
    const convs = {
      node: this.node,
      get browser(): TslabConverter {
        return session.browserConverter();
      },
      close: () => {
        this.node.close();
        this.browser?.close();
      },
    };
    this.executor = this.tslab.executor.createExecutor(rootDir, convs, {
      log: (v: unknown) => (this.value = { set: true, value: v }),
      error: (...args: unknown[]) => {
        if (args.length === 1) this.errors.push(args[0]);
        else this.diagnostics.push(format(...args));
      },
    });
  }

  private browserConverter(): TslabConverter {
    this.browser ??= this.tslab.converter.createConverter({ isJS: false, isBrowser: true });
    return this.browser;
  }

  /** Compiles and runs a cell; the last expression's value comes back when there is one. */
  async execute(code: string): Promise<Outcome> {
    this.value = { set: false };
    this.errors = [];
    this.diagnostics = [];
    let ok: boolean;
    try {
      ok = await this.executor.execute(code);
    } catch (error) {
      ok = false;
      this.errors.push(error);
    }
    if (ok) return { ok: true, value: this.value.value, hasValue: this.value.set };
    if (this.diagnostics.length > 0) {
      return { ok: false, error: { ename: "TSError", evalue: this.diagnostics.join("\n"), traceback: this.diagnostics } };
    }
    return { ok: false, error: describeError(this.errors[0]) };
  }

  complete(code: string, cursor: number): CompletionResult {
    return this.executor.complete(code, cursor);
  }

  inspect(code: string, cursor: number): InspectionResult | undefined {
    const info = this.executor.inspect(code, cursor);
    if (!info) return undefined;
    const head = (info.displayParts ?? []).map((p) => p.text).join("");
    const doc = (info.documentation ?? []).map((p) => p.text).join("");
    return { text: doc ? `${head}\n\n${doc}` : head };
  }

  isComplete(code: string): { complete: boolean; indent: string } {
    const r = this.tslab.converter.isCompleteCode(code);
    return { complete: r.completed, indent: r.indent ?? "" };
  }

  /**
   * Routes tslab's own display API (`import * as tslab from "tslab"; tslab.display.html(…)`) to
   * the kernel: tslab reads a module-level writer at call time.
   */
  setDisplayWriter(write: (content: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient?: { display_id?: string } }, update: boolean) => void): void {
    (require("tslab/dist/jupyter") as { lastWriteDisplayData?: unknown }).lastWriteDisplayData = write;
  }

  /** Abandons a pending top-level await (the cell fails with "Interrupted asynchronously"). */
  interrupt(): void {
    this.executor.interrupt();
  }

  close(): void {
    this.executor.close();
  }
}
