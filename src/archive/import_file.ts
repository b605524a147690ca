/**
 * `barn import NAME`: stdin into BARN_HOME/input/NAME, through a temporary file in the same
 * directory that is checked (size, sha256) and then put in place without clobbering.
 */

import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";
import { createPrivateFile, exists, placeFile, writeAll } from "../platform/files.ts";
import { isBelow, join } from "../platform/path.ts";
import { makeDirsInside, sandboxPath } from "../platform/sandbox_path.ts";
import { entryParts } from "./entry_name.ts";
import { type Expected, StreamCheck } from "./stream_check.ts";

/** Temporary files and staging dirs of imports start so: a crash may leave one, safe to remove. */
export const STAGING_PREFIX = ".barn-import-";

/** input/ as its real path (links followed once, inside the sandbox). */
export function inputRoot(input: string): string {
  return sandboxPath(input, "BARN_HOME/input");
}

/** E_EXISTS when a file (not a directory) stands where `parts` needs one below input/. */
export function refuseFileInTheWay(root: string, parts: readonly string[], what: string): void {
  for (let i = 1; i <= parts.length; i++) {
    const at = join(root, ...parts.slice(0, i));
    let st: Deno.FileInfo;
    try {
      st = Deno.lstatSync(at);
    } catch {
      return; // missing from here on: made below
    }
    if (!st.isDirectory && !st.isSymlink) {
      throw new BarnError(
        "E_EXISTS",
        `${what}: ${excerpt(at)} is a file, so nothing can go below it; barn never replaces ` +
          "it: import under another name; nothing was imported",
      );
    }
  }
}

/** The directory `parts` names below input/, created 0700 as needed, never through a link out of input/. */
export function dirBelow(root: string, parts: readonly string[], what: string): string {
  refuseFileInTheWay(root, parts, what);
  const dir = parts.length === 0 ? root : makeDirsInside(join(root, ...parts), what);
  if (!isBelow(root, dir)) {
    throw new BarnError(
      "E_SANDBOX",
      `${what}: ${join(...parts)} leads through a link out of input/ (to ${dir}); ` +
        "nothing was imported (see docs/security.md)",
    );
  }
  return dir;
}

function taken(path: string): BarnError {
  return new BarnError(
    "E_EXISTS",
    `${excerpt(path)} already exists; barn never overwrites it unasked: pass --overwrite, ` +
      "or import under another name",
  );
}

export interface ImportedFile {
  path: string;
  size: number;
  sha256: string | null;
}

export async function importFile(
  input: string,
  name: string,
  stdin: ReadableStream<Uint8Array>,
  opts: { overwrite: boolean; expected: Expected },
): Promise<ImportedFile> {
  const parts = entryParts(name, "the import name");
  if (parts.length === 0) {
    throw new BarnError(
      "E_USAGE",
      "give the file a name below input/, e.g. `barn import clip.mp4`",
    );
  }
  const root = inputRoot(input);
  const dir = dirBelow(root, parts.slice(0, -1), "barn import");
  const path = join(dir, parts[parts.length - 1]!);
  // A directory or link there is never replaced, so --overwrite would not help: say so first.
  if (exists(path) && !Deno.lstatSync(path).isFile) {
    throw new BarnError(
      "E_EXISTS",
      `${excerpt(path)} exists and is not a regular file (a directory or a link), which barn ` +
        "never replaces, not even with --overwrite: import under another name",
    );
  }
  if (!opts.overwrite && exists(path)) throw taken(path);
  const tmp = join(dir, `${STAGING_PREFIX}${crypto.randomUUID().slice(0, 8)}.part`);
  const check = new StreamCheck(opts.expected);
  const f = createPrivateFile(tmp);
  let done: { size: number; sha256: string | null };
  try {
    try {
      for await (const chunk of stdin) {
        check.see(chunk);
        await writeAll(f, chunk);
      }
    } finally {
      f.close();
    }
    done = check.finish();
    if (!placeFile(tmp, path, opts.overwrite)) throw taken(path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* placed, or gone */ }
    throw e;
  }
  return { path, ...done };
}
