/** File writes that never follow a planted symlink and are never readable by others. */

import { dirname, join } from "node:path";

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

/** The last `lines` lines of a file, reading only its end. */
export function tailLines(path: string, lines: number, maxBytes = 64 * 1024): string[] {
  if (lines <= 0) return [];
  const { text } = readTail(path, maxBytes);
  const all = text.split("\n");
  if (all.length > 0 && all[all.length - 1] === "") all.pop();
  return all.slice(-lines);
}
