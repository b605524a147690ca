/**
 * Redacts credential headers in a curl job's output (pure, streaming): lines such as
 * `> Authorization: Basic …`, `< Set-Cookie: …`, curl's HTTP/2 `* [HTTP/2] [1] [cookie: …]`
 * and `--trace-ascii`'s `0000: Authorization: …` keep their header name and lose the value:
 * `> Authorization: [redacted by barn]`. A line split across chunks is handled; memory stays
 * bounded, since only the first WINDOW bytes of a line decide.
 */

import { concatBytes } from "../platform/files.ts";
import { isSecretHeader } from "./curl_secrets.ts";

/** What replaces a header's value. */
export const REDACTED = " [redacted by barn]";

/** Bytes of a line that decide whether it is a header line (prefixes plus the longest name). */
const WINDOW = 256;

/**
 * curl's header lines: at the start of a line, an optional `--trace-time` stamp and
 * `--trace-ids` tag, then `> `/`< ` (-v), `* h2h3 [` (7.88, HTTP/2), `* [HTTP/2] [n] [` or
 * `* [HTTP/3] [n] [` (8.x), a `--trace-ascii` offset, or nothing (-D, -i); then the header name
 * and its colon. The -v forms also count in mid-line, where curl appends them to its progress
 * meter (`…--:--:--     0> Authorization: …`).
 */
const VERBOSE = /[<>] |\* h2h3 \[|\* \[HTTP\/[23]\] \[\d+\] \[/.source;
const LINE_START = /^(?:\d\d:\d\d:\d\d\.\d+ )?(?:\[\d+-[0-9x]+\] )?/.source;
const NAME = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)[ \t]*:/.source;
const HEADER = new RegExp(`(?:${LINE_START}(?:${VERBOSE}|[0-9a-f]{4,}: )?|${VERBOSE})${NAME}`, "g");

/** The bytes a header line can start with: a name, a digit of a stamp, `<`, `>`, `*`, `[`. */
const FIRST_BYTE = new Uint8Array(256).map((_, b) =>
  /[A-Za-z0-9!#$%&'*+.^_`|~<>[-]/.test(String.fromCharCode(b)) ? 1 : 0
);

const CR = 13;
const LF = 10;
const encoder = new TextEncoder();
const marker = encoder.encode(REDACTED);
const latin1 = new TextDecoder("latin1");

type Mode = "undecided" | "pass" | "redact";

/** How long the header part of a line is when it names a credential header, else -1. */
function secretHeaderEnd(line: Uint8Array): number {
  // Most lines stop here: no colon, or neither a header's first byte nor a -v prefix.
  if (line.indexOf(0x3a) < 0) return -1;
  if (
    !FIRST_BYTE[line[0]!] && line.indexOf(0x3e) < 0 && line.indexOf(0x3c) < 0 &&
    line.indexOf(0x2a) < 0
  ) return -1;
  for (const m of latin1.decode(line).matchAll(HEADER)) {
    if (isSecretHeader(m[1]!)) return m.index! + m[0].length;
  }
  return -1;
}

/** Feeds a byte stream through; lines end at LF or CR, which curl's progress meter uses alone. */
export class CurlRedactor {
  #mode: Mode = "undecided";
  /** The start of a line that began in an earlier chunk and has not decided yet. */
  #held = new Uint8Array(WINDOW);
  #heldLen = 0;

  /** Returns the bytes that may be written now; a line's first bytes wait until they decide. */
  push(chunk: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    const breaks = new Breaks(chunk);
    let from = 0; // start of the bytes of `chunk` that pass unchanged, not yet in `out`
    let pos = 0;
    while (pos < chunk.length) {
      const end = breaks.after(pos);
      const lineEnd = end < 0 ? chunk.length : end;
      if (this.#mode === "undecided") {
        if (this.#heldLen === 0 && end < 0 && lineEnd - pos < WINDOW) {
          // The line goes on in the next chunk: hold its start.
          out.push(chunk.subarray(from, pos));
          this.#held.set(chunk.subarray(pos), 0);
          this.#heldLen = chunk.length - pos;
          from = pos = chunk.length;
          break;
        }
        if (this.#heldLen > 0) {
          const take = Math.min(lineEnd, pos + WINDOW - this.#heldLen);
          this.#held.set(chunk.subarray(pos, take), this.#heldLen);
          this.#heldLen += take - pos;
          pos = from = take;
          if (take !== end && this.#heldLen < WINDOW) break;
          out.push(this.#decide());
          continue;
        }
        const limit = Math.min(lineEnd, pos + WINDOW);
        const cut = breaks.colon(pos) < limit ? secretHeaderEnd(chunk.subarray(pos, limit)) : -1;
        if (cut >= 0) {
          out.push(chunk.subarray(from, pos + cut), marker);
          this.#mode = "redact";
        } else this.#mode = "pass";
        if (cut >= 0) from = lineEnd;
      } else if (this.#mode === "redact") {
        from = lineEnd;
      }
      if (end < 0) break;
      pos = end + 1;
      this.#mode = "undecided";
    }
    out.push(chunk.subarray(from));
    return concatBytes(out.filter((p) => p.length > 0));
  }

  /** The held start of an unfinished last line, decided as it stands. */
  end(): Uint8Array {
    return this.#heldLen > 0 ? this.#decide() : new Uint8Array();
  }

  /** Decides a held line start: sets the mode for the rest of the line, returns what may show. */
  #decide(): Uint8Array {
    const held = this.#held.slice(0, this.#heldLen);
    this.#heldLen = 0;
    const cut = secretHeaderEnd(held);
    this.#mode = cut >= 0 ? "redact" : "pass";
    return cut >= 0 ? concatBytes([held.subarray(0, cut), marker]) : held;
  }
}

/** The line breaks of one chunk, found front to back: each byte is searched at most twice. */
class Breaks {
  #lf = -2;
  #cr = -2;
  #colon = -2;
  constructor(private chunk: Uint8Array) {}

  /** The index of the first colon at or after `pos`, or the chunk's length. */
  colon(pos: number): number {
    if (this.#colon !== -1 && this.#colon < pos) this.#colon = this.chunk.indexOf(0x3a, pos);
    return this.#colon < 0 ? this.chunk.length : this.#colon;
  }

  /** The index of the first CR or LF at or after `pos`, or -1. */
  after(pos: number): number {
    if (this.#lf !== -1 && this.#lf < pos) this.#lf = this.chunk.indexOf(LF, pos);
    if (this.#cr !== -1 && this.#cr < pos) this.#cr = this.chunk.indexOf(CR, pos);
    if (this.#lf < 0) return this.#cr;
    return this.#cr < 0 ? this.#lf : Math.min(this.#lf, this.#cr);
  }
}
