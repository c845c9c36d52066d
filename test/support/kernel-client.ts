/**
 * A small Jupyter client over ZMQ for driving the lima-ts kernel from tests: starts the kernel
 * process, signs requests, and collects replies and iopub messages by parent msg_id.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import * as zmq from "zeromq";
import { decode, encode, type Json, type Message, newHeader, Signer } from "../../kernel/wire";
import { tempDir } from "./onnx-graphs";
import { REPO } from "./paths";
import { freePorts } from "../../kernel/explore-server";


/** The five ports of a kernel connection file, distinct and free (see freePorts). */
export async function connectionPorts(): Promise<Record<string, number>> {
  const names = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"];
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, ports[i]]));
}

export class KernelClient {
  readonly session = randomUUID();
  readonly signer: Signer;
  readonly replies: Message[] = [];
  readonly iopub: Message[] = [];
  stderr = "";
  /** Called with each shell/control reply the moment it is decoded (before any other await). */
  readonly replyListeners = new Set<(msg: Message) => void>();
  // linger 0: a message queued for a kernel that died must not keep the test process alive
  // (zeromq's default, -1, waits for delivery forever at exit: a failing test then hangs the suite).
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly sub = new zmq.Subscriber({ linger: 0 });
  private constructor(readonly key: string, private readonly child: ChildProcess, private readonly ports: Record<string, number>) {
    this.signer = new Signer(key);
  }

  /** Starts `node dist/kernel/main.js` with a fresh connection file and waits until it answers. */
  static async start(cwd = REPO, options: { nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<KernelClient> {
    const ports = await connectionPorts();
    const key = randomUUID();
    const file = path.join(tempDir("kernel-"), "connection.json");
    writeFileSync(file, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", key, signature_scheme: "hmac-sha256", ...ports }));
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(REPO, "dist/kernel/main.js"), file], { cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const client = new KernelClient(key, child, ports);
    child.stderr!.on("data", (d: Buffer) => (client.stderr += d.toString()));
    try {
      await client.connect();
    } catch (error) {
      // Leave nothing behind that would keep the test process alive: the kernel and the sockets.
      client.child.kill("SIGKILL");
      client.closeSockets();
      throw error;
    }
    return client;
  }

  private async connect(): Promise<void> {
    this.shell.connect(`tcp://127.0.0.1:${this.ports.shell_port}`);
    this.control.connect(`tcp://127.0.0.1:${this.ports.control_port}`);
    this.sub.connect(`tcp://127.0.0.1:${this.ports.iopub_port}`);
    this.sub.subscribe();
    void this.pump(this.shell, this.replies);
    void this.pump(this.control, this.replies);
    void this.pump(this.sub, this.iopub);
    // iopub is a PUB socket: keep asking kernel_info until its status messages reach us.
    for (let i = 0; i < 100; i++) {
      const id = await this.send("shell", "kernel_info_request", {});
      try {
        await this.reply(id, 300);
        await this.until(() => this.iopub.some((m) => m.parent_header.msg_id === id), 300);
        return;
      } catch {
        /* not ready yet */
      }
    }
    throw new Error(`kernel did not answer: ${this.stderr}`);
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, into: Message[]): Promise<void> {
    try {
      for await (const frames of socket) {
        const msg = decode(frames, this.signer);
        into.push(msg);
        if (into === this.replies) for (const listener of [...this.replyListeners]) listener(msg);
      }
    } catch {
      /* socket closed */
    }
  }

  /** Sends a request; `sign: false` sends it with a wrong signature. Returns its msg_id. */
  async send(channel: "shell" | "control", msgType: string, content: Json, options: { buffers?: ArrayBufferView[]; badSignature?: boolean } = {}): Promise<string> {
    const header = newHeader(msgType, this.session);
    const signer = options.badSignature ? new Signer("not-the-key") : this.signer;
    const frames = encode(signer, [], header, {}, content, {}, options.buffers ?? []);
    await (channel === "shell" ? this.shell : this.control).send(frames);
    return header.msg_id;
  }

  async until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms (kernel ${this.state})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The reply to `msgId`. */
  async reply(msgId: string, timeoutMs = 20_000): Promise<Message> {
    await this.until(() => this.replies.some((m) => m.parent_header.msg_id === msgId), timeoutMs);
    return this.replies.find((m) => m.parent_header.msg_id === msgId)!;
  }

  /** iopub messages whose parent is `msgId`, once the kernel went idle for it. */
  async outputs(msgId: string, timeoutMs = 20_000): Promise<Message[]> {
    await this.until(() => this.iopub.some((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status" && m.content.execution_state === "idle"), timeoutMs);
    return this.iopub.filter((m) => m.parent_header.msg_id === msgId && m.header.msg_type !== "status");
  }

  /** Executes code; returns the reply and its outputs. */
  async execute(code: string, timeoutMs = 30_000): Promise<{ reply: Message; outputs: Message[]; id: string }> {
    const id = await this.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const reply = await this.reply(id, timeoutMs);
    return { reply, outputs: await this.outputs(id, timeoutMs), id };
  }

  /** The kernel's process id. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Whether the kernel process is still running (a kernel killed by a signal has no exit code). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** "alive", or how the kernel process ended, for failure messages. */
  get state(): string {
    return this.alive ? "alive" : `dead: exit code ${this.child.exitCode}, signal ${this.child.signalCode}`;
  }

  async close(): Promise<void> {
    if (this.alive) {
      const id = await this.send("control", "shutdown_request", { restart: false });
      await this.reply(id, 5000).catch(() => undefined);
      await new Promise<void>((resolve) => {
        if (!this.alive) return resolve();
        const t = setTimeout(() => { this.child.kill("SIGKILL"); resolve(); }, 3000);
        this.child.once("exit", () => { clearTimeout(t); resolve(); });
      });
    }
    this.closeSockets();
  }

  private closeSockets(): void {
    for (const s of [this.shell, this.control, this.sub]) s.close();
  }

  /** Sends SIGINT to the kernel process. */
  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }
}
