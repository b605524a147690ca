/** Length-prefixed JSON frames: a 4-byte big-endian length, checked against the cap before any allocation. */

import { jsonErrorPlace } from "../escape.ts";
import { BarnError } from "../errors.ts";

/** Largest frame either side accepts (a batch of a few thousand jobs fits). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Deepest JSON nesting accepted; no message of barn's nests beyond a handful of levels. */
export const MAX_JSON_DEPTH = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeFrame(message: unknown): Uint8Array {
  return encodeJsonFrame(JSON.stringify(message));
}

function encodeJsonFrame(json: string): Uint8Array {
  const body = encoder.encode(json);
  if (body.length > MAX_FRAME_BYTES) {
    throw new BarnError(
      "E_FRAME_TOO_LARGE",
      `message of ${body.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte frame cap (split a batch into smaller ones)`,
    );
  }
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/** Rejects JSON nested deeper than MAX_JSON_DEPTH without parsing it. */
export function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new BarnError("E_BAD_REQUEST", `message nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Decodes one frame body: UTF-8, depth-checked JSON. */
export function decodeBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new BarnError("E_BAD_REQUEST", "message is not valid UTF-8");
  }
  checkDepth(text);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BarnError(
      "E_BAD_REQUEST",
      `message is not valid JSON${jsonErrorPlace(e) ? ` (${jsonErrorPlace(e)})` : ""}`,
    );
  }
}

/** Reads frames from a connection; `next()` returns null on a clean end between frames. */
export class FrameReader {
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  constructor(private conn: { read(p: Uint8Array): Promise<number | null> }) {}

  async #fill(): Promise<boolean> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      // Compact, or grow up to the frame cap.
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      } else {
        const bigger = new Uint8Array(Math.min(this.#buf.length * 2, MAX_FRAME_BYTES + 4));
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
    }
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null || n === 0) return false;
    this.#end += n;
    return true;
  }

  async next(): Promise<unknown | null> {
    while (this.#end - this.#start < 4) {
      if (!(await this.#fill())) {
        if (this.#end === this.#start) return null;
        throw new BarnError(
          "E_PROTOCOL",
          "connection closed inside a frame header (truncated frame)",
        );
      }
    }
    const len = new DataView(this.#buf.buffer, this.#start, 4).getUint32(0);
    if (len > MAX_FRAME_BYTES) {
      throw new BarnError(
        "E_FRAME_TOO_LARGE",
        `frame header claims ${len} bytes, over the ${MAX_FRAME_BYTES}-byte cap`,
      );
    }
    while (this.#end - this.#start < 4 + len) {
      if (this.#buf.length < 4 + len && this.#start === 0 && this.#end === this.#buf.length) {
        const bigger = new Uint8Array(4 + len);
        bigger.set(this.#buf.subarray(0, this.#end));
        this.#buf = bigger;
      }
      if (!(await this.#fill())) {
        throw new BarnError(
          "E_PROTOCOL",
          `connection closed inside a ${len}-byte frame (truncated frame)`,
        );
      }
    }
    const body = this.#buf.slice(this.#start + 4, this.#start + 4 + len);
    this.#start += 4 + len;
    return decodeBody(body);
  }
}

type Writer = { write(p: Uint8Array): Promise<number> };

/** Writes every byte of `data` (one write may take fewer). */
export async function writeBytes(conn: Writer, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

export async function writeFrame(conn: Writer, message: unknown): Promise<void> {
  await writeBytes(conn, encodeFrame(message));
}

/**
 * The one writer of a connection: frames from concurrent senders (replies, pushed events) go
 * out whole and in order, never interleaved mid-frame.
 */
export class FrameWriter {
  #tail: Promise<void> = Promise.resolve();

  constructor(private conn: Writer) {}

  write(message: unknown): Promise<void> {
    const data = encodeFrame(message);
    const next = this.#tail.then(() => writeBytes(this.conn, data));
    this.#tail = next.catch(() => {});
    return next;
  }
}

/**
 * Builds frames of one JSON message whose array holds items already serialized (`prefix`
 * item,item… `suffix`), encoding each item straight into one reused buffer: a listing's
 * records are never joined into a string, nor copied again into a frame.
 */
export class ArrayFrame {
  #buf = new Uint8Array(512 * 1024);
  #pos = 0;
  #count = 0;
  readonly #prefix: Uint8Array;
  readonly #suffix: Uint8Array;

  constructor(prefix: string, suffix: string) {
    this.#prefix = encoder.encode(prefix);
    this.#suffix = encoder.encode(suffix);
    this.#start();
  }

  #start(): void {
    this.#buf.set(this.#prefix, 4);
    this.#pos = 4 + this.#prefix.length;
    this.#count = 0;
  }

  /** Items added since the last frame was taken. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the frame so far. */
  get bytes(): number {
    return this.#pos;
  }

  add(itemJson: string): void {
    for (;;) {
      const room = this.#buf.length - this.#pos - this.#suffix.length - 1;
      // UTF-8 takes at most 3 bytes per UTF-16 unit: with that much room, one pass does it.
      if (room >= itemJson.length * 3) {
        if (this.#count > 0) this.#buf[this.#pos++] = 0x2c; // ,
        this.#pos += encoder.encodeInto(itemJson, this.#buf.subarray(this.#pos)).written;
        this.#count++;
        return;
      }
      if (this.#buf.length >= MAX_FRAME_BYTES + 4) {
        if (this.#count > 0) {
          throw new BarnError("E_INTERNAL", "take the frame before adding more");
        }
        throw new BarnError(
          "E_FRAME_TOO_LARGE",
          `one item of ${itemJson.length} characters does not fit the ${MAX_FRAME_BYTES}-byte frame cap`,
        );
      }
      const bigger = new Uint8Array(Math.min(this.#buf.length * 2, MAX_FRAME_BYTES + 4));
      bigger.set(this.#buf.subarray(0, this.#pos));
      this.#buf = bigger;
    }
  }

  /** The whole frame (length header included); valid until the next add. Starts a new frame. */
  take(): Uint8Array {
    this.#buf.set(this.#suffix, this.#pos);
    const end = this.#pos + this.#suffix.length;
    if (end - 4 > MAX_FRAME_BYTES) {
      throw new BarnError("E_FRAME_TOO_LARGE", `a frame of ${end - 4} bytes is over the cap`);
    }
    new DataView(this.#buf.buffer).setUint32(0, end - 4);
    const frame = this.#buf.subarray(0, end);
    this.#start();
    return frame;
  }
}
