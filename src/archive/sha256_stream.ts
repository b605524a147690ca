/**
 * SHA-256 of a stream of chunks. Large files are hashed in a Worker (sha256_worker.ts), on the
 * other core, while this thread reads and writes: export then runs at the speed of its pipe, not
 * of the hash. Small ones are hashed here, where a Worker's start would cost more than it saves.
 */

import { createHash } from "node:crypto";

/** Files at least this large are hashed in the Worker. */
export const WORKER_MIN_BYTES = 16 << 20;
/** Chunks on their way to the Worker at most: memory stays bounded if it falls behind. */
const IN_FLIGHT = 8;

type Reply = { type: "free"; buf: ArrayBuffer } | { type: "digest"; hex: string };

/** One hash at a time: `update` every chunk in order, then `digest`. */
export interface Sha256Stream {
  update(chunk: Uint8Array): void | Promise<void>;
  digest(): Promise<string>;
}

/** Hashes here, on this thread. */
export function inlineSha256(): Sha256Stream {
  const h = createHash("sha256");
  return { update: (c) => void h.update(c), digest: () => Promise.resolve(h.digest("hex")) };
}

/** A Worker that hashes one stream after another; close() ends it. */
export class Sha256Worker {
  readonly #worker = new Worker(new URL("./sha256_worker.ts", import.meta.url).href, {
    type: "module",
  });
  readonly #free: ArrayBuffer[] = [];
  #inFlight = 0;
  #onFree: (() => void) | null = null;
  #onDigest: ((hex: string) => void) | null = null;
  #failed: Error | null = null;

  constructor() {
    this.#worker.onmessage = (e: MessageEvent<Reply>) => {
      if (e.data.type === "free") {
        this.#free.push(e.data.buf);
        this.#inFlight--;
        this.#onFree?.();
        this.#onFree = null;
      } else this.#onDigest?.(e.data.hex);
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      this.#failed = new Error(`the hashing worker failed: ${e.message}`);
      this.#onFree?.();
    };
  }

  /** A hash over the Worker; its chunks are copied, so the caller may reuse its buffers. */
  stream(): Sha256Stream {
    return {
      update: async (chunk) => {
        while (this.#inFlight >= IN_FLIGHT && this.#failed === null) {
          await new Promise<void>((r) => (this.#onFree = r));
        }
        if (this.#failed) throw this.#failed;
        let buf = this.#free.pop();
        if (buf === undefined || buf.byteLength < chunk.length) buf = new ArrayBuffer(chunk.length);
        new Uint8Array(buf).set(chunk);
        this.#inFlight++;
        this.#worker.postMessage({ type: "chunk", buf, n: chunk.length }, [buf]);
      },
      digest: () =>
        new Promise<string>((resolve, reject) => {
          if (this.#failed) return reject(this.#failed);
          this.#onDigest = resolve;
          this.#worker.postMessage({ type: "digest" });
        }),
    };
  }

  close(): void {
    this.#worker.terminate();
  }
}
