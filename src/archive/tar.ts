/**
 * The one module that knows the tar library (modern-tar: web streams, no dependencies, no
 * node:stream): a streaming writer that reads files in 1 MiB chunks through a small pool of
 * buffers, and a streaming reader. Neither holds a whole file, so memory stays flat for any size.
 */

import { createTarDecoder, createTarPacker, type TarPackController } from "modern-tar";
import { BarnError } from "../errors.ts";

/** Chunk size for file data: large enough that a pipe, not barn, is the limit. */
const CHUNK = 1 << 20;

export interface TarFileHeader {
  name: string;
  size: number;
  mode: number;
  mtime: Date;
}

/** Writes a tar stream to `sink`, one entry at a time; `finish()` writes the end blocks. */
export class TarOut {
  readonly #controller: TarPackController;
  readonly #done: Promise<void>;
  /** Buffers the sink has written, ready for the next read (their bytes are gone from the stream). */
  readonly #free: ArrayBuffer[] = [];
  readonly #pooled = new WeakSet<ArrayBuffer>();

  constructor(sink: (chunk: Uint8Array) => Promise<void>) {
    const { readable, controller } = createTarPacker();
    this.#controller = controller;
    this.#done = readable.pipeTo(
      new WritableStream({
        write: async (chunk) => {
          await sink(chunk);
          if (this.#pooled.has(chunk.buffer as ArrayBuffer)) {
            this.#free.push(chunk.buffer as ArrayBuffer);
          }
        },
      }),
    );
    this.#done.catch(() => {}); // surfaced by the next write or by finish()
  }

  #buffer(): ArrayBuffer {
    const b = this.#free.pop();
    if (b) return b;
    const made = new ArrayBuffer(CHUNK);
    this.#pooled.add(made);
    return made;
  }

  /**
   * Adds one regular file of exactly `h.size` bytes from `source`, passing each chunk to `seen`
   * (a hash). A file that ends early throws: the stream is then left without its end blocks, so
   * whoever reads it sees it broken rather than short.
   */
  async file(
    h: TarFileHeader,
    source: Deno.FsFile,
    seen: (chunk: Uint8Array) => void | Promise<void>,
  ): Promise<void> {
    const w = this.#controller.add({ ...h, type: "file" }).getWriter();
    let left = h.size;
    while (left > 0) {
      const buf = new Uint8Array(this.#buffer(), 0, Math.min(CHUNK, left));
      const n = await source.read(buf);
      if (n === null || n === 0) {
        throw new BarnError(
          "E_IO",
          `${h.name} shrank by ${left} bytes while barn exported it (something still writes ` +
            "it); the archive is cut short: export again once nothing changes the file",
        );
      }
      const chunk = buf.subarray(0, n);
      await seen(chunk);
      await w.ready;
      await w.write(chunk);
      left -= n;
    }
    await w.close();
  }

  /** Adds a small file held in memory (job.json, manifest.json). */
  async text(name: string, text: string, mtime: Date): Promise<Uint8Array> {
    const data = new TextEncoder().encode(text);
    const w = this.#controller.add({ name, size: data.length, type: "file", mode: 0o600, mtime })
      .getWriter();
    await w.write(data);
    await w.close();
    return data;
  }

  async finish(): Promise<void> {
    this.#controller.finalize();
    await this.#done;
  }
}

/** One entry of a tar stream as barn judges it; `body` must be read or cancelled before the next. */
export interface TarEntry {
  name: string;
  /** `file`, `directory`, `symlink`, `link` (a hard link), `character-device`, `block-device`, `fifo`. */
  type: string;
  size: number;
  mode: number;
  mtime: Date | null;
  body: ReadableStream<Uint8Array>;
}

/**
 * The entries of a tar stream, checked strictly (header checksums, truncation). A typeflag the
 * library does not know reads as a regular file, as POSIX asks of readers.
 */
export async function* tarEntries(input: ReadableStream<Uint8Array>): AsyncGenerator<TarEntry> {
  const { readable, writable } = createTarDecoder({ strict: true });
  const feeding = input.pipeTo(writable);
  feeding.catch(() => {}); // the decoder errors too, and the loop below throws that
  for await (const e of readable) {
    yield {
      name: e.header.name,
      type: e.header.type ?? "file",
      size: e.header.size,
      mode: e.header.mode ?? 0,
      mtime: e.header.mtime ?? null,
      body: e.body,
    };
  }
  await feeding;
}
