import type { Buffers, Comm, CommManager, DisplayOptions, JupyterHost, MimeBundle } from "../../src/jupyter/host";

export interface SentMessage {
  readonly kind: "open" | "msg" | "close";
  readonly data: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  readonly buffers: Uint8Array[];
}

/** The kernel end of a comm, recording what it sends; `deliver` plays the front-end. */
export class FakeComm implements Comm {
  readonly sent: SentMessage[] = [];
  private msgHandler: (data: Record<string, unknown>, buffers: ArrayBuffer[]) => void = () => {};
  private closeHandler: (data: Record<string, unknown>) => void = () => {};
  closed = false;

  constructor(readonly commId: string, readonly targetName: string) {}

  send(data: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: Buffers): void {
    this.sent.push({ kind: "msg", data: structuredClone(data), metadata, buffers: toBytes(buffers) });
  }
  close(data: Record<string, unknown> = {}): void {
    this.closed = true;
    this.sent.push({ kind: "close", data, buffers: [] });
  }
  onMsg(handler: (data: Record<string, unknown>, buffers: ArrayBuffer[]) => void): void {
    this.msgHandler = handler;
  }
  onClose(handler: (data: Record<string, unknown>) => void): void {
    this.closeHandler = handler;
  }
  /** A comm_msg from the front-end. */
  deliver(data: Record<string, unknown>, buffers: ArrayBuffer[] = []): void {
    this.msgHandler(data, buffers);
  }
  /** comm_close from the front-end. */
  closeFromFrontEnd(): void {
    this.closed = true;
    this.closeHandler({});
  }
  /** The `state` of every update this comm sent (method "update"). */
  updates(method = "update"): Record<string, unknown>[] {
    return this.sent.filter((m) => m.kind === "msg" && m.data.method === method).map((m) => m.data.state as Record<string, unknown>);
  }
}

function toBytes(buffers: Buffers | undefined): Uint8Array[] {
  return (buffers ?? []).map((b) => (b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
}

/** A JupyterHost without a kernel: comms and displays are recorded for assertions. */
export class FakeHost implements JupyterHost {
  readonly opened: { comm: FakeComm; data: Record<string, unknown>; metadata?: Record<string, unknown>; buffers: Uint8Array[] }[] = [];
  readonly displays: { bundle: MimeBundle; options?: DisplayOptions }[] = [];
  readonly targets = new Map<string, (comm: Comm, data: Record<string, unknown>, buffers: ArrayBuffer[]) => void>();
  private next = 0;

  readonly comms: CommManager = {
    open: (targetName, data, metadata, buffers) => {
      const comm = new FakeComm(`comm-${++this.next}`, targetName);
      this.opened.push({ comm, data: structuredClone(data), metadata, buffers: toBytes(buffers) });
      return comm;
    },
    registerTarget: (targetName, handler) => void this.targets.set(targetName, handler),
  };

  display(bundle: MimeBundle, options?: DisplayOptions): void {
    this.displays.push({ bundle, options });
  }
}
