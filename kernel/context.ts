/**
 * The request a piece of running code answers to. Every message the kernel sends (stream,
 * display, comm, execute_result) carries the parent header of the request in whose async context
 * it runs, also after awaits (AsyncLocalStorage).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Message } from "./wire";

export interface RequestContext {
  readonly request: Message;
  /** Aborted when the execution this context belongs to is interrupted. */
  readonly signal?: AbortSignal;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The current request, or the fallback (the last execute request) outside any. */
export function currentRequest(fallback: Message | undefined): Message | undefined {
  return requestContext.getStore()?.request ?? fallback;
}
