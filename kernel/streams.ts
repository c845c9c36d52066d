/**
 * Batches a cell's stdout/stderr writes into few stream messages (a loop printing progress would
 * otherwise send one message per write). Text waits at most `delayMs`, and is flushed before any
 * other message goes out so that outputs keep their order.
 */
import type { Message } from "./wire";

export type StreamName = "stdout" | "stderr";

/** Sends one stream message with `parent` as its parent request. */
export type EmitStream = (name: StreamName, text: string, parent: Message | undefined) => void;

export class StreamBuffer {
  private pending?: { name: StreamName; parent: Message | undefined; text: string };
  private timer?: NodeJS.Timeout;

  constructor(private readonly emit: EmitStream, private readonly delayMs = 20) {}

  /** Adds text; a different stream or parent flushes what was waiting first. */
  write(name: StreamName, text: string, parent: Message | undefined): void {
    if (this.pending && (this.pending.name !== name || this.pending.parent !== parent)) this.flush();
    if (this.pending) {
      this.pending.text += text;
      return;
    }
    this.pending = { name, parent, text };
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    this.timer.unref();
  }

  /** Sends what is waiting now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.emit(pending.name, pending.text, pending.parent);
  }
}
