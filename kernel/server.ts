/**
 * The kernel's five sockets on zeromq: shell and control (ROUTER), iopub (PUB), stdin (ROUTER),
 * heartbeat (REP, echo). Sends on one socket are serialised (zeromq allows one at a time).
 */
import * as zmq from "zeromq";
import { decode, encode, type Header, type Json, type Message, newHeader, Signer, WireError } from "./wire";

/** A Jupyter connection file. */
export interface ConnectionInfo {
  readonly transport: string;
  readonly ip: string;
  readonly shell_port: number;
  readonly iopub_port: number;
  readonly stdin_port: number;
  readonly control_port: number;
  readonly hb_port: number;
  readonly key: string;
  readonly signature_scheme: string;
}

export type Channel = "shell" | "control";

type Buffers = ReadonlyArray<ArrayBuffer | ArrayBufferView>;

/** Serialises sends on one socket. */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Writable & { readonly closed: boolean }) {}
  send(frames: Buffer[]): Promise<void> {
    this.tail = this.tail
      .then(() => (this.socket.closed ? undefined : this.socket.send(frames)))
      .catch((error: Error) => log(`send failed: ${error.message}`));
    return this.tail;
  }
}

/** Kernel diagnostics go to the real stderr (the kernel's own output, not a cell's). */
export const originalStderrWrite = process.stderr.write.bind(process.stderr);
export function log(message: string): void {
  originalStderrWrite(`[lima-ts] ${message}\n`);
}

export class KernelServer {
  readonly signer: Signer;
  readonly session = newHeader("none", "x").msg_id;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly hb = new zmq.Reply();
  private readonly queues: Record<"shell" | "control" | "iopub", SendQueue>;
  /** Messages dropped for a bad signature or layout. */
  dropped = 0;

  constructor(private readonly conn: ConnectionInfo) {
    this.signer = new Signer(conn.key, conn.signature_scheme);
    this.queues = { shell: new SendQueue(this.shell), control: new SendQueue(this.control), iopub: new SendQueue(this.iopub) };
  }

  private address(port: number): string {
    return this.conn.transport === "ipc" ? `ipc://${this.conn.ip}-${port}` : `${this.conn.transport}://${this.conn.ip}:${port}`;
  }

  /** Shell messages read so far (for {@link drainShell}). */
  private shellFrames = 0;

  /** Binds every socket and starts reading; `onMessage` gets each verified shell/control message. */
  async start(onMessage: (channel: Channel, msg: Message) => void): Promise<void> {
    await Promise.all([
      this.shell.bind(this.address(this.conn.shell_port)),
      this.control.bind(this.address(this.conn.control_port)),
      this.stdin.bind(this.address(this.conn.stdin_port)),
      this.iopub.bind(this.address(this.conn.iopub_port)),
      this.hb.bind(this.address(this.conn.hb_port)),
    ]);
    void this.read(this.shell, "shell", onMessage);
    void this.read(this.control, "control", onMessage);
    void this.heartbeat();
  }

  private async read(socket: zmq.Router, channel: Channel, onMessage: (channel: Channel, msg: Message) => void): Promise<void> {
    for await (const frames of socket) {
      if (channel === "shell") this.shellFrames++;
      let msg: Message;
      try {
        msg = decode(frames, this.signer);
      } catch (error) {
        this.dropped++;
        log(`dropped a ${channel} message: ${error instanceof WireError ? error.message : String(error)}`);
        continue;
      }
      onMessage(channel, msg);
    }
  }

  private async heartbeat(): Promise<void> {
    for await (const frames of this.hb) await this.hb.send(frames);
  }

  /**
   * Lets the read loop take every shell message already waiting in the socket, so that the
   * kernel knows what arrived before it answers (ipykernel flushes its shell stream the same way
   * before aborting queued requests). Bounded: a client flooding the socket cannot hold it here.
   */
  async drainShell(): Promise<void> {
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // After a cell blocked the event loop, the socket's readiness is only seen once the loop has
    // polled its descriptor again: wait until several turns and a few milliseconds in a row bring
    // no new frames and the socket says it holds none.
    const start = performance.now();
    let seen = this.shellFrames;
    let quiet = 0;
    for (let i = 0; i < 1000 && (quiet < 3 || performance.now() - start < 5 || this.shell.readable); i++) {
      await turn();
      if (this.shellFrames !== seen) {
        seen = this.shellFrames;
        quiet = 0;
      } else quiet++;
    }
  }

  /** Sends a reply to `request` on its channel. */
  reply(channel: Channel, request: Message, msgType: string, content: Json, metadata: Json = {}): Promise<void> {
    const frames = encode(this.signer, request.identities, newHeader(msgType, this.session), request.header, content, metadata);
    return this.queues[channel].send(frames);
  }

  /** Broadcasts on iopub with `parent` as the parent header. */
  publish(msgType: string, content: Json, parent: Partial<Header> | undefined, metadata: Json = {}, buffers: Buffers = []): Promise<void> {
    const frames = encode(this.signer, [Buffer.from(`kernel.${msgType}`)], newHeader(msgType, this.session), parent ?? {}, content, metadata, buffers);
    return this.queues.iopub.send(frames);
  }

  close(): void {
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) s.close();
  }
}
