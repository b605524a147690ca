/**
 * barn's file I/O: files it creates are new (exclusive create, 0600) and reached through no link;
 * every file it opens is checked, before a byte moves, to lie inside the sandbox (sandbox_path.ts).
 */

import { BarnError } from "../errors.ts";
import { dirname, join } from "./path.ts";
import { checkOpened } from "./sandbox_path.ts";

const encoder = new TextEncoder();

type OpenMode = { read?: boolean; append?: boolean };

/**
 * Creates `path` exclusively (0600) and checks, before a byte is written, that it is where the
 * path says; a file that a link made land elsewhere is removed again.
 */
function createChecked(path: string, opts: OpenMode = {}): Deno.FsFile {
  const f = Deno.openSync(path, { write: true, ...opts, createNew: true, mode: 0o600 });
  try {
    checkOpened(f, path, "barn's file", true);
    return f;
  } catch (e) {
    try {
      const made = f.statSync();
      const there = Deno.statSync(path);
      if (made.ino === there.ino && made.dev === there.dev) Deno.removeSync(path);
    } catch { /* gone already */ }
    f.close();
    throw e;
  }
}

/** Creates a new private file (0600) for streaming into: exclusive, checked, never through a link. */
export function createPrivateFile(path: string): Deno.FsFile {
  return createChecked(path);
}

/**
 * Puts the finished file `tmp` at `path` in the same directory. Without `overwrite` it never
 * clobbers: a hard link (which fails if anything is at `path`), then `tmp` goes; false when
 * `path` was taken. With `overwrite`, an atomic rename over whatever file is there.
 */
export function placeFile(tmp: string, path: string, overwrite: boolean): boolean {
  if (overwrite) {
    Deno.renameSync(tmp, path);
    return true;
  }
  try {
    Deno.linkSync(tmp, path);
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  }
  Deno.removeSync(tmp);
  return true;
}

/** Writes a new private file (0600), refusing to reuse any existing path or to reach it through a link. */
export function writeNewPrivateFile(path: string, data: string | Uint8Array): void {
  const f = createChecked(path);
  try {
    writeAllSync(f, typeof data === "string" ? encoder.encode(data) : data);
  } finally {
    f.close();
  }
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

/**
 * Opens one of barn's own files for writing, creating it (0600) if missing: never through a link,
 * and an existing file is checked to be the one at `path` before anything is written.
 */
export function openPrivateFile(path: string, opts: OpenMode = {}): Deno.FsFile {
  try {
    return createChecked(path, opts);
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const st = Deno.lstatSync(path);
  if (st.isSymlink) {
    throw new BarnError(
      "E_SANDBOX",
      `${path} is a link, and barn writes its own files through none: remove it ` +
        "(see docs/security.md)",
    );
  }
  // Opening a FIFO for writing blocks until a reader comes: the whole process would hang.
  if (!st.isFile) throw notRegular(path, "barn's file");
  const f = Deno.openSync(path, { write: true, ...opts });
  try {
    checkOpened(f, path, "barn's file", true);
  } catch (e) {
    f.close();
    throw e;
  }
  return f;
}

function notRegular(path: string, what: string): BarnError {
  return new BarnError(
    "E_SANDBOX",
    `${what} ${path} is not a regular file (a FIFO, a device or a dir): barn opens none of ` +
      "those, and left it alone; remove it (see docs/security.md)",
  );
}

/** Opens (creating if needed, 0600) one of barn's files for appending, never through a link. */
export function openPrivateAppend(path: string): Deno.FsFile {
  return openPrivateFile(path, { append: true });
}

/** Opens a file for reading, checked to lie inside the sandbox before anything is read. */
export function openRead(path: string, what = "file"): Deno.FsFile {
  // Opening a FIFO for reading blocks until a writer comes: the whole process would hang.
  if (Deno.statSync(path).isFifo) throw notRegular(path, what);
  const f = Deno.openSync(path, { read: true });
  try {
    checkOpened(f, path, what, false);
  } catch (e) {
    f.close();
    throw e;
  }
  return f;
}

/**
 * A file's identity: device, inode and birth time (a file system may give a recreated file the
 * inode just freed); null when there is none. `follow` reads through a final link.
 */
export function fileIdentity(path: string, follow = false): string | null {
  try {
    const st = follow ? Deno.statSync(path) : Deno.lstatSync(path);
    return `${st.dev}:${st.ino}:${st.birthtime?.getTime() ?? ""}`;
  } catch {
    return null;
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

/** A whole file as text, opened through openRead. */
export function readText(path: string, what = "file"): string {
  const f = openRead(path, what);
  try {
    const parts: Uint8Array[] = [];
    for (let n = -1; n !== 0;) {
      const buf = new Uint8Array(64 * 1024);
      n = readFull(f, buf);
      parts.push(buf.subarray(0, n));
    }
    return new TextDecoder().decode(concatBytes(parts));
  } finally {
    f.close();
  }
}

export function readTextIfExists(path: string, what = "file"): string | null {
  try {
    return readText(path, what);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * A file that holds secrets (credentials.json): its text, or null when absent. Refused with
 * E_UNSAFE_HOME when group or others may read it, judged on the file that was opened.
 */
export function readPrivateText(path: string, what: string): string | null {
  let f: Deno.FsFile;
  try {
    f = openRead(path, what);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const mode = f.statSync().mode;
    if (mode !== null && (mode & 0o077) !== 0) {
      throw new BarnError(
        "E_UNSAFE_HOME",
        `${path} is readable by others: run \`chmod 600 ${path}\``,
      );
    }
  } finally {
    f.close();
  }
  return readText(path, what);
}

/** Reads until `buf` is full or the file ends; returns how many bytes came. */
export function readFull(f: Deno.FsFile, buf: Uint8Array): number {
  let off = 0;
  while (off < buf.length) {
    const n = f.readSync(buf.subarray(off));
    if (n === null || n === 0) break;
    off += n;
  }
  return off;
}

/** The chunks as one array (the one chunk itself when there is one): how reads and pipes are joined. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
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
    f = openRead(path);
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
      f.seekSync(pos, Deno.SeekMode.Start);
      const buf = new Uint8Array(n);
      const got = readFull(f, buf);
      parts.unshift(got === n ? buf : buf.subarray(0, got));
      for (let i = got - 1; i >= 0; i--) {
        // The last line's own terminator is not a boundary.
        if (buf[i] === 0x0a && pos + i !== size - 1 && ++newlines >= lines) {
          start = pos + i + 1;
          break outer;
        }
      }
    }
    return { bytes: concatBytes(parts).subarray(start - pos), start, size };
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

/** Copies a byte range of a file to a writer in chunks, never holding the whole file. */
export async function copyRange(
  path: string,
  from: number,
  to: number,
  w: { write(p: Uint8Array): Promise<number> },
): Promise<number> {
  if (from >= to) return from;
  const f = openRead(path);
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

/** Writes every byte of `data`, asynchronously: reading the next chunk overlaps the write. */
export async function writeAll(f: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await f.write(data.subarray(off));
}

/** Writes every byte of `data` (a single writeSync may write fewer). */
export function writeAllSync(f: Deno.FsFile, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += f.writeSync(data.subarray(off));
}
