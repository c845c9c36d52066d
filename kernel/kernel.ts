/**
 * The lima-ts kernel: Jupyter messaging 5.3 on top of tslab's TypeScript executor, with comms,
 * rich display, interrupts and stream capture. Executions run one at a time; every other request
 * (comm messages above all) is served while a cell awaits.
 */
import { format } from "node:util";
import { setJupyterHost, type Buffers, type DisplayOptions, type JupyterHost, type MimeBundle } from "../src/jupyter/host";
import { toMimeBundle } from "../src/jupyter/mime";
import { Comms } from "./comms";
import { requestContext } from "./context";
import { type Channel, KernelServer, log, originalStderrWrite } from "./server";
import { type Outcome, TypeScriptSession } from "./tslab-adapter";
import { type Json, type Message, PROTOCOL_VERSION } from "./wire";

const VERSION = (require("../../package.json") as { version: string }).version;

export class Kernel {
  private readonly session: TypeScriptSession;
  private readonly comms: Comms;
  private executionCount = 0;
  private queue: Promise<void> = Promise.resolve();
  private lastExecute?: Message;
  private running?: { controller: AbortController; request: Message };
  private aborting = false;

  constructor(private readonly server: KernelServer, rootDir: string) {
    this.session = new TypeScriptSession(rootDir);
    this.comms = new Comms((type, content, metadata, buffers) => this.publish(type, content, metadata, buffers));
    this.installHost();
    this.captureStreams();
  }

  /** The request whose parent header outgoing messages carry now. */
  private parent(): Message | undefined {
    return requestContext.getStore()?.request ?? this.lastExecute;
  }

  private publish(type: string, content: Json, metadata: Json = {}, buffers: Buffers = []): void {
    void this.server.publish(type, content, this.parent()?.header, metadata, buffers);
  }

  private installHost(): void {
    const kernel = this;
    const host: JupyterHost & { readonly cellSignal?: AbortSignal } = {
      comms: this.comms,
      display(bundle: MimeBundle, options: DisplayOptions = {}) {
        const transient = options.displayId ? { display_id: options.displayId } : {};
        kernel.publish(options.update ? "update_display_data" : "display_data", { data: bundle, metadata: options.metadata ?? {}, transient });
      },
      get cellSignal() {
        return requestContext.getStore()?.signal ?? kernel.running?.controller.signal;
      },
    };
    setJupyterHost(host);
    this.session.setDisplayWriter((content, update) => this.publish(update ? "update_display_data" : "display_data", { ...content, transient: content.transient ?? {} }));
  }

  /** stdout/stderr of cells become stream messages. */
  private captureStreams(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        if (this.parent()) this.publish("stream", { name, text });
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
      this.queue = this.queue.then(() => this.serve(channel, msg, () => this.execute(msg)));
      return;
    }
    void this.serve(channel, msg, () => this.dispatch(channel, msg));
  }

  private async serve(channel: Channel, msg: Message, work: () => Promise<void>): Promise<void> {
    await this.server.publish("status", { execution_state: "busy" }, msg.header);
    try {
      await requestContext.run({ request: msg }, work);
    } catch (error) {
      log(`error while handling ${msg.header.msg_type}: ${(error as Error).stack ?? error}`);
    }
    await this.server.publish("status", { execution_state: "idle" }, msg.header);
    void channel;
  }

  private async dispatch(channel: Channel, msg: Message): Promise<void> {
    const c = msg.content;
    const reply = (type: string, content: Json) => this.server.reply(channel, msg, type, content);
    switch (msg.header.msg_type) {
      case "kernel_info_request":
        return reply("kernel_info_reply", this.kernelInfo());
      case "complete_request": {
        const r = this.session.complete(String(c.code ?? ""), Number(c.cursor_pos ?? 0));
        return reply("complete_reply", { status: "ok", matches: r.candidates, cursor_start: r.start, cursor_end: r.end, metadata: {} });
      }
      case "inspect_request": {
        const r = this.session.inspect(String(c.code ?? ""), Number(c.cursor_pos ?? 0));
        return reply("inspect_reply", { status: "ok", found: Boolean(r), data: r ? { "text/plain": r.text } : {}, metadata: {} });
      }
      case "is_complete_request": {
        const r = this.session.isComplete(String(c.code ?? ""));
        return reply("is_complete_reply", r.complete ? { status: "complete" } : { status: "incomplete", indent: r.indent });
      }
      case "history_request":
        return reply("history_reply", { status: "ok", history: [] });
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
      case "shutdown_request":
        await reply("shutdown_reply", { status: "ok", restart: Boolean(c.restart) });
        return this.shutdown();
      default:
        log(`unsupported message type ${msg.header.msg_type} ignored`);
    }
  }

  private kernelInfo(): Json {
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "lima-ts",
      implementation_version: VERSION,
      language_info: {
        name: "typescript",
        version: "5.0",
        mimetype: "text/x.typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "javascript", typescript: true },
        pygments_lexer: "typescript",
      },
      banner: `lima-xai TypeScript kernel ${VERSION} (tslab executor, Node ${process.version})`,
      help_links: [],
      debugger: false,
    };
  }

  /** Interrupt: abandon the pending await of the running cell and abort its signal. */
  interrupt(): void {
    if (!this.running) return;
    this.running.controller.abort(new DOMException("Interrupted", "AbortError"));
    this.session.interrupt();
  }

  private async execute(msg: Message): Promise<void> {
    const c = msg.content as { code?: string; silent?: boolean; store_history?: boolean; stop_on_error?: boolean };
    const code = String(c.code ?? "");
    const silent = Boolean(c.silent);
    if (this.aborting) return this.abortedReply(msg);
    if (!silent && c.store_history !== false) this.executionCount++;
    const count = this.executionCount;
    this.lastExecute = msg;
    if (!silent) this.publish("execute_input", { code, execution_count: count });
    const controller = new AbortController();
    this.running = { controller, request: msg };
    const outcome = await requestContext.run({ request: msg, signal: controller.signal }, () => this.session.execute(code));
    this.running = undefined;
    if (controller.signal.aborted && outcome.ok === false && /Interrupted/.test(outcome.error.evalue)) {
      (outcome as { error: Json }).error = { ename: "Interrupt", evalue: "the cell was interrupted", traceback: ["Interrupt: the cell was interrupted"] };
    }
    await this.finishExecute(msg, outcome, count, silent, c.stop_on_error !== false);
  }

  private async finishExecute(msg: Message, outcome: Outcome, count: number, silent: boolean, stopOnError: boolean): Promise<void> {
    if (outcome.ok) {
      if (outcome.hasValue && !silent) {
        const data = await this.bundle(outcome.value);
        this.publish("execute_result", { execution_count: count, data, metadata: {} });
      }
      await this.server.reply("shell", msg, "execute_reply", { status: "ok", execution_count: count, user_expressions: {}, payload: [] });
      return;
    }
    this.publish("error", { ...outcome.error });
    await this.server.reply("shell", msg, "execute_reply", { status: "error", execution_count: count, ...outcome.error });
    if (stopOnError) {
      // Requests already queued behind a failed cell are aborted, as Jupyter front-ends expect.
      this.aborting = true;
      void this.queue.then(() => (this.aborting = false));
    }
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
    this.session.close();
    this.server.close();
    setTimeout(() => process.exit(0), 50);
  }
}
