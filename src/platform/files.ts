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

/** Reads at most the last `maxBytes` of a file, seeking from the end. */
export function readTail(path: string, maxBytes: number): { text: string; size: number } {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { text: "", size: 0 };
    throw e;
  }
  try {
    const size = f.statSync().size;
    const start = Math.max(0, size - maxBytes);
    f.seekSync(start, Deno.SeekMode.Start);
    const buf = new Uint8Array(size - start);
    let off = 0;
    while (off < buf.length) {
      const n = f.readSync(buf.subarray(off));
      if (n === null || n === 0) break;
      off += n;
    }
    return { text: new TextDecoder().decode(buf.subarray(0, off)), size };
  } finally {
    f.close();
  }
}

/**
 * The last `lines` lines of a file, reading backwards in chunks from its end until
 * enough newlines are seen: the bytes read stay a small multiple of what is printed.
 */
export function tailLines(
  path: string,
  lines: number,
  chunk = 16 * 1024,
  maxBytes = Infinity,
): string[] {
  return new TextDecoder().decode(tailBytes(path, lines, chunk, maxBytes).bytes).split("\n").slice(
    0,
    -1,
  )
    .slice(-lines);
}

/** The bytes of the last `lines` lines (the final line counts even without a newline). */
export function tailBytes(
  path: string,
  lines: number,
  chunk = 16 * 1024,
  maxBytes = Infinity,
): { bytes: Uint8Array; size: number } {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { bytes: new Uint8Array(), size: 0 };
    throw e;
  }
  try {
    const size = f.statSync().size;
    if (lines <= 0 || size === 0) return { bytes: new Uint8Array(), size };
    const parts: Uint8Array[] = [];
    let pos = size;
    let newlines = 0;
    let start = 0;
    let first = true;
    outer: while (pos > 0) {
      if (size - pos >= maxBytes) {
        start = pos; // a log without newlines: stop at the byte budget
        break;
      }
      const n = Math.min(chunk, pos, maxBytes - (size - pos));
      pos -= n;
      const buf = new Uint8Array(n);
      f.seekSync(pos, Deno.SeekMode.Start);
      let off = 0;
      while (off < n) {
        const r = f.readSync(buf.subarray(off));
        if (r === null || r === 0) break;
        off += r;
      }
      parts.unshift(buf);
      for (let i = n - 1; i >= 0; i--) {
        if (first) {
          first = false; // the last line's own terminator (if any) is not a boundary
          continue;
        }
        if (buf[i] === 0x0a && ++newlines >= lines) {
          start = pos + i + 1;
          break outer;
        }
      }
    }
    const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    const out = all.subarray(start - pos);
    return { bytes: out[out.length - 1] === 0x0a ? out : concatNl(out), size };
  } finally {
    f.close();
  }
}

function concatNl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  out[b.length] = 0x0a;
  return out;
}

/** The offset where the last `lines` lines of a file begin, found by reading backwards from its end. */
export function tailStart(path: string, lines: number, chunk = 16 * 1024): number {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 0;
    throw e;
  }
  try {
    const size = f.statSync().size;
    if (lines <= 0) return size;
    const buf = new Uint8Array(chunk);
    let pos = size;
    let newlines = 0;
    let first = true;
    while (pos > 0) {
      const n = Math.min(chunk, pos);
      pos -= n;
      f.seekSync(pos, Deno.SeekMode.Start);
      let off = 0;
      while (off < n) {
        const r = f.readSync(buf.subarray(off, n));
        if (r === null || r === 0) break;
        off += r;
      }
      for (let i = n - 1; i >= 0; i--) {
        if (first) {
          first = false;
          continue;
        }
        if (buf[i] === 0x0a && ++newlines >= lines) return pos + i + 1;
      }
    }
    return 0;
  } finally {
    f.close();
  }
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
