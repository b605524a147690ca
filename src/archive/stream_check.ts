/** Counting and hashing a byte stream as it passes, for `barn import --size/--sha256`. */

import { createHash } from "node:crypto";
import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";

export interface Expected {
  size?: number | undefined;
  /** Lower-case hex. */
  sha256?: string | undefined;
}

/** Parses `--size` and `--sha256` (E_USAGE when malformed). */
export function expectedOf(size: string | undefined, sha256: string | undefined): Expected {
  const out: Expected = {};
  if (size !== undefined) {
    if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) {
      throw new BarnError("E_USAGE", `--size must be a number of bytes (got '${excerpt(size)}')`);
    }
    out.size = Number(size);
  }
  if (sha256 !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(sha256)) {
      throw new BarnError(
        "E_USAGE",
        `--sha256 must be 64 hex digits, as sha256sum prints them (got '${excerpt(sha256)}')`,
      );
    }
    out.sha256 = sha256.toLowerCase();
  }
  return out;
}

/** Passes a stream through, counting its bytes and hashing them when a checksum is expected. */
export class StreamCheck {
  #size = 0;
  readonly #hash: ReturnType<typeof createHash> | null;

  constructor(readonly expected: Expected) {
    this.#hash = expected.sha256 !== undefined ? createHash("sha256") : null;
  }

  /** Counts one chunk; a stream already longer than `--size` fails at once. */
  see(chunk: Uint8Array): void {
    this.#size += chunk.length;
    this.#hash?.update(chunk);
    if (this.expected.size !== undefined && this.#size > this.expected.size) {
      throw new BarnError(
        "E_VERIFY",
        `stdin holds more than the --size=${this.expected.size} bytes expected; nothing was imported`,
      );
    }
  }

  /** A TransformStream that sees every chunk on its way. */
  transform(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream({
      transform: (chunk, c) => {
        this.see(chunk);
        c.enqueue(chunk);
      },
    });
  }

  /** Checks the totals once the stream has ended (E_VERIFY). */
  finish(): { size: number; sha256: string | null } {
    const sha256 = this.#hash?.digest("hex") ?? null;
    if (this.expected.size !== undefined && this.#size !== this.expected.size) {
      throw new BarnError(
        "E_VERIFY",
        `stdin held ${this.#size} bytes, not the --size=${this.expected.size} expected ` +
          "(a transfer cut short?); nothing was imported",
      );
    }
    if (this.expected.sha256 !== undefined && sha256 !== this.expected.sha256) {
      throw new BarnError(
        "E_VERIFY",
        `stdin's sha256 is ${sha256}, not the --sha256 expected; nothing was imported`,
      );
    }
    return { size: this.#size, sha256 };
  }
}
