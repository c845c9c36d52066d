/**
 * Jupyter comms, both directions (messaging spec "Custom messages"): comm_open, comm_msg and
 * comm_close from either side, comm_info_request, and a registry of targets for comms the
 * front-end opens. Implements the library's CommManager contract (src/jupyter/host.ts).
 */
import { randomUUID } from "node:crypto";
import type { Buffers, Comm, CommManager } from "../src/jupyter/host";
import { log } from "./server";
import type { Json, Message } from "./wire";

/** How comms reach the front-end: iopub messages with the current parent header. */
export type Publish = (msgType: string, content: Json, metadata?: Json, buffers?: Buffers) => void;

type MsgHandler = (data: Record<string, unknown>, buffers: ArrayBuffer[]) => void;
type CloseHandler = (data: Record<string, unknown>) => void;

/** Runs a library callback; a throw is logged (with the comm it came from) and the others still run. */
function guard(what: string, callback: () => void): void {
  try {
    callback();
  } catch (error) {
    log(`${what} threw: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

class KernelComm implements Comm {
  readonly msgHandlers: MsgHandler[] = [];
  readonly closeHandlers: CloseHandler[] = [];
  closed = false;

  constructor(readonly commId: string, readonly targetName: string, private readonly manager: Comms) {}

  send(data: Record<string, unknown>, metadata: Record<string, unknown> = {}, buffers: Buffers = []): void {
    if (this.closed) throw new Error(`comm ${this.commId} (${this.targetName}) is closed`);
    this.manager.publish("comm_msg", { comm_id: this.commId, data }, metadata, buffers);
  }

  close(data: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.publish("comm_close", { comm_id: this.commId, data });
    this.manager.forget(this.commId);
  }

  onMsg(handler: MsgHandler): void {
    this.msgHandlers.push(handler);
  }

  onClose(handler: CloseHandler): void {
    this.closeHandlers.push(handler);
  }
}

export class Comms implements CommManager {
  private readonly comms = new Map<string, KernelComm>();
  private readonly targets = new Map<string, (comm: Comm, data: Record<string, unknown>, buffers: ArrayBuffer[]) => void>();

  constructor(readonly publish: Publish) {}

  open(targetName: string, data: Record<string, unknown>, metadata: Record<string, unknown> = {}, buffers: Buffers = []): Comm {
    const comm = new KernelComm(randomUUID().replace(/-/g, ""), targetName, this);
    this.comms.set(comm.commId, comm);
    this.publish("comm_open", { comm_id: comm.commId, target_name: targetName, data }, metadata, buffers);
    return comm;
  }

  registerTarget(targetName: string, handler: (comm: Comm, data: Record<string, unknown>, buffers: ArrayBuffer[]) => void): void {
    this.targets.set(targetName, handler);
  }

  forget(commId: string): void {
    this.comms.delete(commId);
  }

  /** comm_open from the front-end: the target's handler, or comm_close for an unknown target. */
  handleOpen(msg: Message): void {
    const { comm_id: id, target_name: target, data } = msg.content as { comm_id: string; target_name: string; data?: Record<string, unknown> };
    const handler = this.targets.get(target);
    if (!handler) {
      log(`comm_open for unknown target ${JSON.stringify(target)}: closing comm ${id}`);
      this.publish("comm_close", { comm_id: id, data: {} });
      return;
    }
    const comm = new KernelComm(id, target, this);
    this.comms.set(id, comm);
    guard(`comm_open handler of target ${target}`, () => handler(comm, data ?? {}, msg.buffers));
  }

  /** comm_msg from the front-end; unknown comms are logged and ignored. */
  handleMsg(msg: Message): void {
    const { comm_id: id, data } = msg.content as { comm_id: string; data?: Record<string, unknown> };
    const comm = this.comms.get(id);
    if (!comm) {
      log(`comm_msg for unknown comm ${JSON.stringify(id)} ignored`);
      return;
    }
    for (const h of comm.msgHandlers) guard(`comm_msg handler of ${id} (${comm.targetName})`, () => h(data ?? {}, msg.buffers));
  }

  /** comm_close from the front-end. */
  handleClose(msg: Message): void {
    const { comm_id: id, data } = msg.content as { comm_id: string; data?: Record<string, unknown> };
    const comm = this.comms.get(id);
    if (!comm) return;
    comm.closed = true;
    this.comms.delete(id);
    for (const h of comm.closeHandlers) guard(`comm_close handler of ${id} (${comm.targetName})`, () => h(data ?? {}));
  }

  /** comm_info_reply content: open comms, filtered by target when given. */
  info(target?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, c] of this.comms) if (!target || c.targetName === target) out[id] = { target_name: c.targetName };
    return out;
  }
}
