/**
 * The lima-ts kernel: Jupyter messaging 5.3 on top of tslab's TypeScript executor, with comms,
 * rich display, history, interrupts and stream capture. Executions run one at a time; every other
 * request (comm messages above all) is served while a cell awaits.
 */
import { format } from "node:util";
import { setJupyterHost, type Buffers, type DisplayOptions, type JupyterHost, type MimeBundle } from "../src/jupyter/host";
import { toMimeBundle } from "../src/jupyter/mime";
import { Comms } from "./comms";
import { requestContext } from "./context";
import { History, type HistoryQuery } from "./history";
import { MemoryGuard, memoryError } from "./memory";
import { PACKAGE_NAME, PACKAGE_ROOT, PACKAGE_VERSION } from "./paths";
import { type Channel, KernelServer, log, originalStderrWrite } from "./server";
import { StreamBuffer, type StreamName } from "./streams";
import { type ErrorInfo, type Outcome, TypeScriptSession } from "./tslab-adapter";
import { type Json, type Message, PROTOCOL_VERSION } from "./wire";

/** What an interrupted cell reports. */
export const INTERRUPT_ERROR: ErrorInfo = { ename: "Interrupt", evalue: "the cell was interrupted", traceback: ["Interrupt: the cell was interrupted"] };

/**
 * The host object library code sees (src/jupyter/host.ts), with two members beyond the
 * contract: the running cell's AbortSignal, and clear_output.
 */
export interface KernelHost extends JupyterHost {
  /** Aborted when the cell that is running (or that started the calling code) is interrupted. */
  readonly cellSignal: AbortSignal | undefined;
  /** Clears the cell's output now, or with `wait` when the next output arrives. */
  clearOutput(wait?: boolean): void;
}

/** Jupyter counts cursor positions in code points (protocol ≥ 5.2); JavaScript in UTF-16 units. */
export function codePointsToUtf16(text: string, cursor: number): number {
  let units = 0;
  for (const ch of text) {
    if (cursor-- <= 0) break;
    units += ch.length;
  }
  return units;
}

/** The inverse of {@link codePointsToUtf16}. */
export function utf16ToCodePoints(text: string, offset: number): number {
  return [...text.slice(0, offset)].length;
}

/**
 * The expression of a help request, IPython style: a one-line cell ending in `?` (never valid
 * TypeScript), e.g. `Math.max?` or `explainer.explain?`; undefined for ordinary cells.
 */
export function helpTarget(code: string): string | undefined {
  const m = /^\s*([^\n]*[^\s?])\s*\?{1,2}\s*$/.exec(code);
  return m ? m[1] : undefined;
}

export class Kernel {
  private readonly session: TypeScriptSession;
  private readonly comms: Comms;
  private readonly history = new History();
  private readonly streams: StreamBuffer;
  private readonly memory: MemoryGuard;
  private executionCount = 0;
  private queue: Promise<void> = Promise.resolve();
  private lastExecute?: Message;
  private running?: { controller: AbortController; request: Message };
  /** execute_requests received so far; each one's arrival number is kept in `arrivals`. */
  private received = 0;
  private readonly arrivals = new WeakMap<Message, number>();
  /** Requests that arrived before this number are aborted (set when a cell fails with stop_on_error). */
  private abortBefore = 0;

  constructor(private readonly server: KernelServer, rootDir: string) {
    this.session = new TypeScriptSession(rootDir, [{ name: PACKAGE_NAME, root: PACKAGE_ROOT }]);
    this.comms = new Comms((type, content, metadata, buffers) => void this.publish(type, content, metadata, buffers));
    this.streams = new StreamBuffer((name, text, parent) => void this.send("stream", { name, text }, parent));
    this.memory = new MemoryGuard();
    this.installHost();
    this.captureStreams();
  }

  /** The request whose parent header outgoing messages carry now. */
  private parent(): Message | undefined {
    return requestContext.getStore()?.request ?? this.lastExecute;
  }

  /** Publishes on iopub with the current parent; waiting stream text goes first. Resolves once handed to zeromq. */
  private publish(type: string, content: Json, metadata: Json = {}, buffers: Buffers = []): Promise<void> {
    this.streams.flush();
    return this.send(type, content, this.parent(), metadata, buffers);
  }

  private send(type: string, content: Json, parent: Message | undefined, metadata: Json = {}, buffers: Buffers = []): Promise<void> {
    return this.server.publish(type, content, parent?.header, metadata, buffers);
  }

  private status(state: "busy" | "idle", msg: Message): Promise<void> {
    this.streams.flush();
    return this.server.publish("status", { execution_state: state }, msg.header);
  }

  private installHost(): void {
    const kernel = this;
    const host: KernelHost = {
      comms: this.comms,
      display(bundle: MimeBundle, options: DisplayOptions = {}) {
        const transient = options.displayId ? { display_id: options.displayId } : {};
        const content = { data: bundle, metadata: options.metadata ?? {}, transient };
        const type = options.update ? "update_display_data" : "display_data";
        if (options.toRunningCell) {
          kernel.streams.flush();
          void kernel.send(type, content, kernel.running?.request ?? kernel.lastExecute);
        } else void kernel.publish(type, content);
      },
      get cellSignal() {
        return requestContext.getStore()?.signal ?? kernel.running?.controller.signal;
      },
      clearOutput(wait = false) {
        void kernel.publish("clear_output", { wait });
      },
    };
    setJupyterHost(host);
    this.session.setDisplayWriter((content, update) => void this.publish(update ? "update_display_data" : "display_data", { ...content, transient: content.transient ?? {} }));
  }

  /** stdout/stderr of cells become (batched) stream messages. */
  private captureStreams(): void {
    for (const name of ["stdout", "stderr"] as const satisfies readonly StreamName[]) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        const parent = this.parent();
        if (parent) this.streams.write(name, text, parent);
        else originalStderrWrite(text);
        const done = typeof encoding === "function" ? encoding : cb;
        if (typeof done === "function") (done as () => void)();
        return true;
      }) as typeof stream.write;
    }
  }

  /** Entry point for every verified message. */
  handle(channel: Channel, msg: Message): void {
    if (msg.header.msg_type === "execute_request") {
      this.arrivals.set(msg, ++this.received);
      this.queue = this.queue.then(() => this.serve(msg, () => this.execute(msg)));
      return;
    }
    void this.serve(msg, () => this.dispatch(channel, msg));
  }

  private async serve(msg: Message, work: () => Promise<void>): Promise<void> {
    await this.status("busy", msg);
    try {
      await requestContext.run({ request: msg }, work);
    } catch (error) {
      log(`error while handling ${msg.header.msg_type}: ${(error as Error).stack ?? error}`);
    }
    await this.status("idle", msg);
  }

  /** Serves a non-execute message; a request that fails still gets a reply, with status "error". */
  private async dispatch(channel: Channel, msg: Message): Promise<void> {
    const type = msg.header.msg_type;
    try {
      await this.route(channel, msg);
    } catch (error) {
      if (!type.endsWith("_request")) throw error;
      const info: ErrorInfo = { ename: (error as Error).name ?? "Error", evalue: (error as Error).message ?? format(error), traceback: [] };
      log(`${type} failed: ${(error as Error).stack ?? error}`);
      await this.server.reply(channel, msg, type.replace(/_request$/, "_reply"), { status: "error", ...info });
    }
  }

  private async route(channel: Channel, msg: Message): Promise<void> {
    const c = msg.content;
    const reply = (type: string, content: Json) => this.server.reply(channel, msg, type, content);
    switch (msg.header.msg_type) {
      case "kernel_info_request":
        return reply("kernel_info_reply", this.kernelInfo());
      case "complete_request":
        return reply("complete_reply", this.complete(String(c.code ?? ""), Number(c.cursor_pos ?? 0)));
      case "inspect_request":
        return reply("inspect_reply", this.inspect(String(c.code ?? ""), Number(c.cursor_pos ?? 0)));
      case "is_complete_request": {
        const r = this.session.isComplete(String(c.code ?? ""));
        return reply("is_complete_reply", r.complete ? { status: "complete" } : { status: "incomplete", indent: r.indent });
      }
      case "history_request":
        return reply("history_reply", { status: "ok", history: this.history.query(c as HistoryQuery) });
      case "comm_info_request":
        return reply("comm_info_reply", { status: "ok", comms: this.comms.info(c.target_name as string | undefined) });
      case "comm_open":
        return this.comms.handleOpen(msg);
      case "comm_msg":
        return this.comms.handleMsg(msg);
      case "comm_close":
        return this.comms.handleClose(msg);
      case "interrupt_request":
        this.interrupt();
        return reply("interrupt_reply", { status: "ok" });
      case "shutdown_request": {
        const content = { status: "ok", restart: Boolean(c.restart) };
        await reply("shutdown_reply", content);
        await this.server.publish("shutdown_reply", content, msg.header);
        return this.shutdown();
      }
      default:
        log(`unsupported message type ${msg.header.msg_type} ignored`);
    }
  }

  private kernelInfo(): Json {
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "lima-ts",
      implementation_version: PACKAGE_VERSION,
      language_info: {
        name: "typescript",
        version: this.session.typescriptVersion,
        mimetype: "text/x.typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "javascript", typescript: true },
        pygments_lexer: "typescript",
      },
      banner: `lima-xai TypeScript kernel ${PACKAGE_VERSION} (TypeScript ${this.session.typescriptVersion} through tslab, Node ${process.version})`,
      help_links: [],
      debugger: false,
    };
  }

  private complete(code: string, cursor: number): Json {
    const r = this.session.complete(code, codePointsToUtf16(code, cursor));
    return { status: "ok", matches: r.candidates, cursor_start: utf16ToCodePoints(code, r.start), cursor_end: utf16ToCodePoints(code, r.end), metadata: {} };
  }

  private inspect(code: string, cursor: number): Json {
    const r = this.session.inspect(code, codePointsToUtf16(code, cursor));
    return { status: "ok", found: Boolean(r), data: r ? { "text/plain": r.text } : {}, metadata: {} };
  }

  /** Interrupt: abandon the pending await of the running cell and abort its signal. */
  interrupt(): void {
    if (!this.running) return;
    this.running.controller.abort(new DOMException("Interrupted", "AbortError"));
    this.session.interrupt();
  }

  private async execute(msg: Message): Promise<void> {
    const c = msg.content as { code?: string; silent?: boolean; store_history?: boolean; stop_on_error?: boolean; user_expressions?: Record<string, string> };
    const code = String(c.code ?? "");
    const silent = Boolean(c.silent);
    if ((this.arrivals.get(msg) ?? Infinity) < this.abortBefore) return this.abortedReply(msg);
    const record = !silent && c.store_history !== false;
    if (record) this.history.add(++this.executionCount, code);
    const count = this.executionCount;
    this.lastExecute = msg;
    // Awaited: a cell that blocks the event loop must not hold back its own execute_input.
    if (!silent) await this.publish("execute_input", { code, execution_count: count });
    const help = helpTarget(code);
    if (help !== undefined) return this.page(msg, help, count);
    const controller = new AbortController();
    this.running = { controller, request: msg };
    this.memory.cellStarted();
    let outcome = await requestContext.run({ request: msg, signal: controller.signal }, () => this.session.execute(code));
    const memoryStop = await this.memory.cellFinished();
    this.running = undefined;
    if (!outcome.ok && (outcome.interrupted || controller.signal.aborted)) {
      // A SIGINT that broke synchronous code bypassed interrupt(): abort the signal here.
      if (!controller.signal.aborted) controller.abort(new DOMException("Interrupted", "AbortError"));
      // The memory guard stops a cell the way an interrupt does; say why.
      outcome = { ok: false, interrupted: true, error: memoryStop ? memoryError(memoryStop) : INTERRUPT_ERROR };
    }
    await this.finishExecute(msg, outcome, { count, silent, record, stopOnError: c.stop_on_error !== false, expressions: c.user_expressions ?? {} });
  }

  private async finishExecute(
    msg: Message,
    outcome: Outcome,
    o: { count: number; silent: boolean; record: boolean; stopOnError: boolean; expressions: Record<string, string> },
  ): Promise<void> {
    if (outcome.ok) {
      if (outcome.hasValue && !o.silent) {
        const data = await this.bundle(outcome.value);
        void this.publish("execute_result", { execution_count: o.count, data, metadata: {} });
        if (o.record && typeof data["text/plain"] === "string") this.history.setOutput(o.count, data["text/plain"]);
      }
      const userExpressions = await this.userExpressions(o.expressions);
      this.streams.flush();
      await this.server.reply("shell", msg, "execute_reply", { status: "ok", execution_count: o.count, user_expressions: userExpressions, payload: [] });
      return;
    }
    // Requests already queued behind a failed cell are aborted, as in ipykernel: those received
    // before the error reply goes out, never one a client sends once it has seen the reply.
    if (o.stopOnError && !o.silent) {
      await this.server.drainShell();
      this.abortBefore = this.received + 1;
    }
    void this.publish("error", { ...outcome.error });
    await this.server.reply("shell", msg, "execute_reply", { status: "error", execution_count: o.count, ...outcome.error });
  }

  /** Answers a help request with the expression's type and documentation in the pager (execute_reply payload). */
  private async page(msg: Message, expression: string, count: number): Promise<void> {
    const found = this.session.inspect(expression, expression.length);
    const payload = found ? [{ source: "page", data: { "text/plain": found.text }, start: 0 }] : [];
    if (!found) process.stdout.write(`no documentation found for ${expression}\n`);
    this.streams.flush();
    await this.server.reply("shell", msg, "execute_reply", { status: "ok", execution_count: count, user_expressions: {}, payload });
  }

  /** Evaluates execute_request's user_expressions after a successful cell. */
  private async userExpressions(expressions: Record<string, string>): Promise<Json> {
    const out: Json = {};
    for (const [name, expression] of Object.entries(expressions)) {
      const r = await this.session.execute(String(expression));
      if (!r.ok) out[name] = { status: "error", ...r.error };
      else out[name] = { status: "ok", data: r.hasValue ? await this.bundle(r.value) : { "text/plain": "undefined" }, metadata: {} };
    }
    return out;
  }

  private async abortedReply(msg: Message): Promise<void> {
    await this.server.reply("shell", msg, "execute_reply", { status: "aborted", execution_count: this.executionCount });
  }

  private async bundle(value: unknown): Promise<MimeBundle> {
    try {
      return await toMimeBundle(value);
    } catch (error) {
      return { "text/plain": `${format(value)} (rich display failed: ${(error as Error).message})` };
    }
  }

  shutdown(): void {
    void this.memory.close();
    this.streams.flush();
    this.session.close();
    this.server.close();
    setTimeout(() => process.exit(0), 50);
  }
}
