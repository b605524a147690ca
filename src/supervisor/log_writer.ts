/** A job log capped at max bytes: the head is kept, then a marker, then the most recent tail. */

import { readFull, writeAllSync } from "../platform/files.ts";
import { openOwnFile } from "../store/job_dir.ts";

const encoder = new TextEncoder();

function marker(cut: number): Uint8Array {
  return encoder.encode(`\n[barn: log truncated here, ${cut} bytes cut; the tail follows]\n`);
}

/**
 * Writes a byte stream to a file. Once the file reaches `cap`, it is compacted to
 * head + marker + the newest half of the cap, so every byte is copied at most a few
 * times and the file never exceeds `cap` by more than one chunk.
 */
export class CappedLog {
  #file: Deno.FsFile;
  #size: number;
  #head: number;
  #cut = 0;
  #failed = false;
  truncated = false;

  /** Opens (or creates, 0600) the log; a planted link or dir there throws E_START_FAILED. */
  constructor(readonly path: string, readonly cap: number) {
    // One descriptor for appends and compaction alike: the path is never opened again.
    this.#file = openOwnFile(path, { read: true });
    // The end's offset is the size: no stat (which costs Deno a path walk) needed.
    this.#size = this.#file.seekSync(0, Deno.SeekMode.End);
    this.#head = Math.floor(cap / 4);
  }

  /** Appends a chunk; a write error (full disk) drops output but never throws, so the job goes on. */
  write(chunk: Uint8Array): void {
    if (this.#failed) {
      this.#cut += chunk.length;
      return;
    }
    try {
      writeAllSync(this.#file, chunk);
      this.#size += chunk.length;
      if (this.#size > this.cap) this.#compact();
    } catch {
      this.#failed = true;
      this.truncated = true;
      this.#cut += chunk.length;
    }
  }

  #compact(): void {
    const keep = Math.floor(this.cap / 2);
    const f = this.#file;
    const tail = new Uint8Array(keep);
    f.seekSync(this.#size - keep, Deno.SeekMode.Start);
    readFull(f, tail);
    const oldMarker = this.truncated ? marker(this.#cut).length : 0;
    const dropped = this.#size - this.#head - oldMarker - keep;
    this.#cut += dropped;
    const m = marker(this.#cut);
    f.seekSync(this.#head, Deno.SeekMode.Start);
    writeAllSync(f, m);
    writeAllSync(f, tail);
    f.truncateSync(this.#head + m.length + keep);
    this.#size = this.#head + m.length + keep;
    f.seekSync(this.#size, Deno.SeekMode.Start);
    this.truncated = true;
  }

  close(): void {
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }
}
