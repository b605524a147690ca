/** File writes that never follow a planted symlink and are never readable by others. */

import { dirname, join } from "./path.ts";

const encoder = new TextEncoder();

/** Writes a new private file (0600), refusing to reuse any existing path. */
export function writeNewPrivateFile(path: string, data: string | Uint8Array): void {
  Deno.writeFileSync(path, typeof data === "string" ? encoder.encode(data) : data, {
    createNew: true,
    mode: 0o600,
  });
}

/** Replaces `path` atomically: a fresh temp file in the same dir, then rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    writeNewPrivateFile(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw e;
  }
}

/** Opens (creating if needed, 0600) a file for appending without following symlinks at creation. */
export function openPrivateAppend(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { createNew: true, write: true, append: true, mode: 0o600 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    const st = Deno.lstatSync(path);
    if (st.isSymlink) throw new Deno.errors.PermissionDenied(`${path} is a symlink`);
    return Deno.openSync(path, { write: true, append: true });
  }
}

/** Whether anything (a file, a dir, a dangling symlink) is at `path`. */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function readTextIfExists(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** What `readTail` found: the bytes from `start` to the file's `size` at the time it looked. */
export interface Tail {
  bytes: Uint8Array;
  start: number;
  size: number;
}

/**
 * The one backward tail reader: reads a file from its end in chunks until it has seen the
 * start of its last `lines` lines (the final line counts even without a newline), and never
 * reads more than `maxBytes`, whatever the content: a log without newlines costs `maxBytes`.
 * `lines = Infinity` gives the last `maxBytes` bytes. A missing file is empty.
 */
export function readTail(path: string, lines: number, maxBytes: number, chunk = 16 * 1024): Tail {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { bytes: new Uint8Array(), start: 0, size: 0 };
    throw e;
  }
  try {
    const size = f.statSync().size;
    const floor = Math.max(0, size - Math.max(0, maxBytes));
    if (lines <= 0) return { bytes: new Uint8Array(), start: size, size };
    const parts: Uint8Array[] = [];
    let pos = size;
    let start = floor;
    let newlines = 0;
    outer: while (pos > floor) {
      const n = Math.min(chunk, pos - floor);
      pos -= n;
      const buf = readAt(f, pos, n);
      parts.unshift(buf);
      for (let i = buf.length - 1; i >= 0; i--) {
        // The last line's own terminator is not a boundary.
        if (buf[i] === 0x0a && pos + i !== size - 1 && ++newlines >= lines) {
          start = pos + i + 1;
          break outer;
        }
      }
    }
    const all = concat(parts);
    return { bytes: all.subarray(start - pos), start, size };
  } finally {
    f.close();
  }
}

/** How much a tail of `lines` lines may read: 16 KiB a line, 64 KiB at least. */
export function tailWindow(lines: number): number {
  return Math.max(64 * 1024, lines * 16 * 1024);
}

/** The last `lines` lines of a file as text, reading at most `maxBytes` (see readTail). */
export function tailLines(path: string, lines: number, maxBytes: number): string[] {
  const text = new TextDecoder().decode(readTail(path, lines, maxBytes).bytes);
  if (text === "") return [];
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n").slice(-lines);
}

/** Up to `n` bytes at `pos` (fewer if the file is shorter). */
function readAt(f: Deno.FsFile, pos: number, n: number): Uint8Array {
  const buf = new Uint8Array(n);
  f.seekSync(pos, Deno.SeekMode.Start);
  let off = 0;
  while (off < n) {
    const r = f.readSync(buf.subarray(off));
    if (r === null || r === 0) break;
    off += r;
  }
  return off === n ? buf : buf.subarray(0, off);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

/** Copies a byte range of a file to a writer in chunks, never holding the whole file. */
export async function copyRange(
  path: string,
  from: number,
  to: number,
  w: { write(p: Uint8Array): Promise<number> },
): Promise<number> {
  if (from >= to) return from;
  const f = await Deno.open(path, { read: true });
  try {
    await f.seek(from, Deno.SeekMode.Start);
    const buf = new Uint8Array(64 * 1024);
    let pos = from;
    while (pos < to) {
      const n = await f.read(buf.subarray(0, Math.min(buf.length, to - pos)));
      if (n === null || n === 0) break;
      let off = 0;
      while (off < n) off += await w.write(buf.subarray(off, n));
      pos += n;
    }
    return pos;
  } finally {
    f.close();
  }
}

export function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 0;
    throw e;
  }
}

/** Writes every byte of `data` (a single writeSync may write fewer). */
export function writeAllSync(f: Deno.FsFile, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += f.writeSync(data.subarray(off));
}
