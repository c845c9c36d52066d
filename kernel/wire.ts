/**
 * The Jupyter wire protocol (messaging spec 5.3): multipart frames, HMAC-SHA256 signatures.
 *   [identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export type Json = Record<string, unknown>;

export interface Header {
  readonly msg_id: string;
  readonly msg_type: string;
  readonly session: string;
  readonly username: string;
  readonly date: string;
  readonly version: string;
}

/** A decoded message. */
export interface Message {
  readonly identities: Buffer[];
  readonly header: Header;
  readonly parent_header: Partial<Header>;
  readonly metadata: Json;
  readonly content: Json;
  readonly buffers: ArrayBuffer[];
}

/** Why a multipart message was refused. */
export class WireError extends Error {
  override name = "WireError";
}

/** Signs and checks messages with the connection file's key (no key: no signing). */
export class Signer {
  constructor(private readonly key: string, private readonly scheme = "hmac-sha256") {
    if (key && scheme !== "hmac-sha256") throw new WireError(`signature scheme ${scheme} is not supported: use hmac-sha256`);
  }

  sign(frames: readonly Buffer[]): string {
    if (!this.key) return "";
    const hmac = createHmac("sha256", this.key);
    for (const f of frames) hmac.update(f);
    return hmac.digest("hex");
  }

  verify(signature: string, frames: readonly Buffer[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(frames));
    const got = Buffer.from(signature);
    return expected.length === got.length && timingSafeEqual(expected, got);
  }
}

function parseJson(frame: Buffer, what: string): Json {
  try {
    const v = JSON.parse(frame.toString("utf8")) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Json;
  } catch (error) {
    throw new WireError(`bad ${what} frame: ${(error as Error).message}`);
  }
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Decodes and verifies frames; throws {@link WireError} on a bad signature or layout. */
export function decode(frames: readonly Buffer[], signer: Signer): Message {
  const d = frames.findIndex((f) => f.toString("utf8") === DELIMITER);
  if (d < 0 || frames.length < d + 6) throw new WireError(`malformed message: ${frames.length} frames, delimiter at ${d}`);
  const body = frames.slice(d + 2, d + 6);
  if (!signer.verify(frames[d + 1].toString("utf8"), body)) throw new WireError("invalid signature");
  const header = parseJson(body[0], "header") as unknown as Header;
  if (typeof header.msg_type !== "string" || typeof header.msg_id !== "string") throw new WireError("header lacks msg_id or msg_type");
  return {
    identities: frames.slice(0, d),
    header,
    parent_header: parseJson(body[1], "parent_header") as Partial<Header>,
    metadata: parseJson(body[2], "metadata"),
    content: parseJson(body[3], "content"),
    buffers: frames.slice(d + 6).map(toArrayBuffer),
  };
}

/** A new header for a reply or broadcast in `session`. */
export function newHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), msg_type: msgType, session, username: "lima-xai", date: new Date().toISOString(), version: PROTOCOL_VERSION };
}

function asBuffer(b: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(b) ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b);
}

/** Encodes a message into signed frames. */
export function encode(
  signer: Signer,
  identities: readonly Buffer[],
  header: Header,
  parent: Partial<Header>,
  content: Json,
  metadata: Json = {},
  buffers: ReadonlyArray<ArrayBuffer | ArrayBufferView> = [],
): Buffer[] {
  const body = [header, parent, metadata, content].map((o) => Buffer.from(JSON.stringify(o)));
  return [...identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(body)), ...body, ...buffers.map(asBuffer)];
}
