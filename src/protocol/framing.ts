/** Length-prefixed JSON frames: a 4-byte big-endian length, checked against the cap before any allocation. */

import { parseJsonOr } from "../escape.ts";
import { BarnError } from "../errors.ts";

/** Largest frame either side accepts (a batch of a few thousand jobs fits). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Largest first message (the hello): its strings are capped at 4096 characters each. */
export const MAX_HELLO_BYTES = 64 * 1024;
/** Bytes all partly received frames of the service may hold together. */
export const FRAME_BUDGET_BYTES = 32 * 1024 * 1024;
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

/**
 * Decodes one frame body: UTF-8, JSON, depth-checked unless the sender is barn's own service
 * (`trusted`): V8's JSON.parse is iterative, the check guards the recursive code after it.
 */
export function decodeBody(body: Uint8Array, trusted = false): unknown {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new BarnError("E_BAD_REQUEST", "message is not valid UTF-8");
  }
  if (!trusted) checkDepth(text);
  return parseJsonOr(
    text,
    (place) =>
      new BarnError("E_BAD_REQUEST", `message is not valid JSON${place ? ` (${place})` : ""}`),
  );
}

/** What a reader holds without asking a budget: enough for most requests; a large submit borrows. */
const BASE_BUFFER = 4 * 1024;

/**
 * Bytes that partly received frames may hold across every connection of a process, so that
 * many connections declaring large frames can't take the memory their headers claim.
 */
export class FrameBudget {
  #used = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  take(n: number): boolean {
    if (this.#used + n > this.limit) return false;
    this.#used += n;
    return true;
  }

  give(n: number): void {
    this.#used = Math.max(0, this.#used - n);
  }
}

/**
 * Reads frames from a connection; `next()` returns null on a clean end between frames. The
 * buffer grows with the bytes that actually arrive (doubling, never to a header's claim at
 * once), what it holds past BASE_BUFFER comes from the budget, and it shrinks back after
 * each frame. Call `release()` when the connection ends.
 */
export class FrameReader {
  #buf = new Uint8Array(BASE_BUFFER);
  #start = 0;
  #end = 0;
  #reserved = 0;
  #peak = 0;

  constructor(
    private conn: { read(p: Uint8Array): Promise<number | null> },
    private budget: FrameBudget | null = null,
    /** Frames from barn's own local service: their depth was checked where they came in. */
    private trusted = false,
  ) {}

  /** The most this reader held from its budget at once. */
  get peak(): number {
    return this.#peak;
  }

  /** Returns what the buffer holds from the budget. */
  release(): void {
    this.budget?.give(this.#reserved);
    this.#reserved = 0;
  }

  /** Reads more bytes into the free end of the buffer; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length && this.#start > 0) this.#compact();
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null || n === 0) return false;
    this.#end += n;
    return true;
  }

  #compact(): void {
    this.#buf.copyWithin(0, this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
  }

  /** Moves the unread bytes into a buffer of `size`, taking or giving back budget. */
  #resize(size: number): void {
    const want = Math.max(0, size - BASE_BUFFER);
    if (want > this.#reserved) {
      if (this.budget && !this.budget.take(want - this.#reserved)) {
        throw new BarnError(
          "E_BUSY",
          `the service already holds ${
            Math.round(this.budget.used / 1048576)
          } MiB of partly received requests, its limit; retry in a moment`,
        );
      }
    } else this.budget?.give(this.#reserved - want);
    this.#reserved = want;
    this.#peak = Math.max(this.#peak, want);
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(this.#start, this.#end));
    this.#end -= this.#start;
    this.#start = 0;
    this.#buf = next;
  }

  /** The next frame, at most `maxBytes` long (MAX_FRAME_BYTES unless told a smaller cap). */
  async next(maxBytes = MAX_FRAME_BYTES): Promise<unknown | null> {
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
    if (len > maxBytes) {
      throw new BarnError(
        "E_FRAME_TOO_LARGE",
        `frame header claims ${len} bytes, over the ${maxBytes}-byte cap${
          maxBytes < MAX_FRAME_BYTES ? " for this message" : ""
        }`,
      );
    }
    while (this.#end - this.#start < 4 + len) {
      // Grow only as bytes arrive, and never past what this frame needs.
      if (this.#end === this.#buf.length) {
        if (this.#start > 0) this.#compact();
        else this.#resize(Math.min(this.#buf.length * 2, 4 + len));
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
    if (this.#buf.length > BASE_BUFFER && this.#end - this.#start <= BASE_BUFFER) {
      this.#resize(BASE_BUFFER);
    }
    return decodeBody(body, this.trusted);
  }

  /** Where `nextBytes` puts the bytes, reused: a listing's text passes through, it is not kept. */
  #text = new Uint8Array(0);

  /**
   * The next `n` bytes as they are, not a frame: what follows a `text` frame's header. They
   * are valid until the next call (one buffer, reused: 10 MB of listing would otherwise fault
   * in 10 MB of fresh pages); what the frame buffer holds goes first, the rest is read
   * straight in. No budget: clients only.
   */
  async nextBytes(n: number): Promise<Uint8Array> {
    if (!Number.isInteger(n) || n < 0 || n > MAX_FRAME_BYTES) {
      throw new BarnError("E_PROTOCOL", `a text frame of ${n} bytes is over the frame cap`);
    }
    if (this.#text.length < n) this.#text = new Uint8Array(Math.max(n, 256 * 1024));
    const out = this.#text.subarray(0, n);
    const held = Math.min(n, this.#end - this.#start);
    out.set(this.#buf.subarray(this.#start, this.#start + held));
    this.#start += held;
    for (let got = held; got < n;) {
      const r = await this.conn.read(out.subarray(got));
      if (r === null || r === 0) {
        throw new BarnError(
          "E_PROTOCOL",
          `connection closed inside a ${n}-byte text frame (truncated frame)`,
        );
      }
      got += r;
    }
    return out;
  }
}

/** A frame its protocol refuses: the connection it came on ends there. */
export class MalformedFrame extends Error {}

/**
 * The frames of a connection, each checked by `check` (a string says what is wrong), until it
 * closes; a malformed one throws MalformedFrame. No budget: for links whose frames stay small.
 */
export async function* checkedFrames<T>(
  conn: { read(p: Uint8Array): Promise<number | null> },
  check: (raw: unknown) => T | string,
): AsyncGenerator<T> {
  const reader = new FrameReader(conn);
  for (;;) {
    const raw = await reader.next();
    if (raw === null) return;
    const m = check(raw);
    if (typeof m === "string") throw new MalformedFrame(m);
    yield m;
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

  /** One item's JSON text, or several joined by commas. */
  add(itemJson: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: with that much room, one pass does it; an
    // item too long for that bound to fit the cap is measured (one such item fills a frame).
    const most = itemJson.length * 3 <= MAX_FRAME_BYTES
      ? itemJson.length * 3
      : encoder.encode(itemJson).length;
    for (;;) {
      const room = this.#buf.length - this.#pos - this.#suffix.length - 1;
      if (room >= most) {
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

/** Room kept before a text frame's bytes for its header frame, so the two go out in one write. */
const TEXT_HEADER_ROOM = 64;

/**
 * Builds `text` frames: a listing's printed text, appended piece by piece into one reused buffer,
 * sent as the header frame `{"ok":true,"stream":"text","bytes":N}` followed by the N bytes as they are.
 */
export class TextFrame {
  #buf = new Uint8Array(512 * 1024);
  #pos = TEXT_HEADER_ROOM;

  /** Bytes of text so far. */
  get bytes(): number {
    return this.#pos - TEXT_HEADER_ROOM;
  }

  add(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: with that much room, one pass does it.
    const most = text.length * 3;
    if (this.#pos + most > this.#buf.length) {
      this.#grow(most, `${text.length} more characters of text may not fit`);
    }
    this.#pos += encoder.encodeInto(text, this.#buf.subarray(this.#pos)).written;
  }

  /** Text already UTF-8 (a record's stored listing text), copied as it is. */
  addBytes(bytes: Uint8Array): void {
    if (this.#pos + bytes.length > this.#buf.length) {
      this.#grow(bytes.length, `${bytes.length} more bytes of text do not fit`);
    }
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** Text of characters below U+0080 only (a job id), a byte each. */
  addAscii(text: string): void {
    if (this.#pos + text.length > this.#buf.length) {
      this.#grow(text.length, `${text.length} more characters of text do not fit`);
    }
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
    this.#pos = pos;
  }

  /** Room for `more` bytes past the text so far, within the frame cap. */
  #grow(more: number, what: string): void {
    if (this.bytes + more > MAX_FRAME_BYTES) {
      throw new BarnError(
        "E_FRAME_TOO_LARGE",
        `${what} the ${MAX_FRAME_BYTES}-byte frame cap; take the frame first`,
      );
    }
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + more));
    bigger.set(this.#buf.subarray(0, this.#pos));
    this.#buf = bigger;
  }

  /** The header frame and the text, for one write; valid until the next add. Starts a new frame. */
  take(): Uint8Array {
    const header = encodeFrame({ ok: true, stream: "text", bytes: this.bytes });
    const at = TEXT_HEADER_ROOM - header.length;
    this.#buf.set(header, at);
    const out = this.#buf.subarray(at, this.#pos);
    this.#pos = TEXT_HEADER_ROOM;
    return out;
  }
}

/**
 * A frame this process encoded (`encodeFrame`, `ArrayFrame.take`, `TextFrame.take`), read back as a
 * client reads it off the wire: a text frame comes back as `{ok, stream: "text", text}`.
 */
export function decodeEncoded(frame: Uint8Array): unknown {
  const len = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0);
  const msg = decodeBody(frame.subarray(4, 4 + len)) as Record<string, unknown>;
  if (msg.stream !== "text") return msg;
  return { ok: true, stream: "text", text: frame.slice(4 + len, 4 + len + (msg.bytes as number)) };
}
