/**
 * `barn import --tar`: a tar stream from stdin into BARN_HOME/input/. Every entry is checked and
 * staged in a private directory first (regular files 0600 and directories 0700 only; a name that
 * leaves input/, a link or a device refuses the whole import); only a complete, checked stream
 * is moved in, never clobbering unless `--overwrite`.
 */

import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";
import { createPrivateFile, exists, placeFile, writeAll } from "../platform/files.ts";
import { makeDir } from "../platform/make_dir.ts";
import { join, relative } from "../platform/path.ts";
import { entryParts } from "./entry_name.ts";
import {
  dirBelow,
  type ImportedFile,
  inputRoot,
  refuseFileInTheWay,
  STAGING_PREFIX,
} from "./import_file.ts";
import { type Expected, StreamCheck } from "./stream_check.ts";
import { tarEntries } from "./tar.ts";

const KINDS: Record<string, string> = {
  symlink: "a symbolic link",
  link: "a hard link",
  "character-device": "a character device",
  "block-device": "a block device",
  fifo: "a FIFO",
};

/** Makes `dir` and what is missing above it inside the staging dir (0700); a file there is a conflict. */
function stageDir(staging: string, parts: readonly string[], name: string): void {
  let dir = staging;
  for (const p of parts) {
    dir = join(dir, p);
    if (!makeDir(dir, 0o700).isDirectory) {
      throw new BarnError(
        "E_USAGE",
        `tar entry '${excerpt(name)}' needs ${p} to be a directory, but the archive made it a ` +
          "file; nothing was imported",
      );
    }
  }
}

async function stageEntries(
  staging: string,
  stream: ReadableStream<Uint8Array>,
): Promise<{ files: string[]; dirs: string[] }> {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for await (const e of tarEntries(stream)) {
    const parts = entryParts(e.name, "tar entry");
    if (e.type !== "file" && e.type !== "directory") {
      await e.body.cancel();
      throw new BarnError(
        "E_SANDBOX",
        `tar entry '${excerpt(e.name)}' is ${
          KINDS[e.type] ?? `of type ${excerpt(e.type)}`
        }: barn imports regular files and directories only; nothing of this import was kept`,
      );
    }
    if (e.type === "directory") {
      await e.body.cancel();
      stageDir(staging, parts, e.name);
      if (parts.length > 0) dirs.add(parts.join("/"));
      continue;
    }
    if (parts.length === 0) {
      throw new BarnError("E_SANDBOX", `a tar entry has no file name; nothing was imported`);
    }
    stageDir(staging, parts.slice(0, -1), e.name);
    const path = join(staging, ...parts);
    if (exists(path)) {
      if (!Deno.lstatSync(path).isFile) {
        throw new BarnError(
          "E_USAGE",
          `tar entry '${excerpt(e.name)}' is a file where the archive made a directory; ` +
            "nothing was imported",
        );
      }
      Deno.removeSync(path); // a later copy in the archive wins, as with tar -x
    }
    const f = createPrivateFile(path);
    try {
      for await (const chunk of e.body) await writeAll(f, chunk);
      if (e.mtime) f.utimeSync(e.mtime, e.mtime);
    } finally {
      f.close();
    }
    files.add(parts.join("/"));
  }
  return { files: [...files], dirs: [...dirs] };
}

/** The tar reader's own complaints (a cut or garbled stream) as the bad input they are. */
function streamError(e: unknown): unknown {
  if (e instanceof BarnError || !(e instanceof Error) || /\(os error \d+\)/.test(e.message)) {
    return e; // barn's own refusals, and file system errors, keep their codes
  }
  return new BarnError(
    "E_USAGE",
    `stdin is not a complete tar stream (${excerpt(e.message, 200)}): send what \`tar -c\` ` +
      "writes, whole; nothing was imported",
    { cause: e },
  );
}

export async function importTar(
  input: string,
  stdin: ReadableStream<Uint8Array>,
  opts: { overwrite: boolean; expected: Expected },
): Promise<{ files: ImportedFile[]; size: number; sha256: string | null }> {
  const root = inputRoot(input);
  const staging = join(root, `${STAGING_PREFIX}${crypto.randomUUID().slice(0, 8)}`);
  Deno.mkdirSync(staging, { mode: 0o700 });
  try {
    const check = new StreamCheck(opts.expected);
    const staged = await stageEntries(staging, stdin.pipeThrough(check.transform()))
      .catch((e) => {
        throw streamError(e);
      });
    const total = check.finish();
    // Every target is judged before the first one moves: a refusal leaves input/ as it was.
    const conflicts = staged.files.filter((rel) => {
      const at = join(root, ...rel.split("/"));
      return exists(at) && (!opts.overwrite || !Deno.lstatSync(at).isFile);
    });
    if (conflicts.length > 0) {
      throw new BarnError(
        "E_EXISTS",
        `${conflicts.length} file(s) of the archive already exist in input/ (${
          conflicts.slice(0, 5).map((c) => excerpt(c)).join(", ")
        }${conflicts.length > 5 ? ", …" : ""}); barn never overwrites unasked: pass --overwrite ` +
          "(regular files only); nothing was imported",
      );
    }
    for (const rel of staged.files) {
      refuseFileInTheWay(root, rel.split("/").slice(0, -1), "barn import --tar");
    }
    for (const rel of staged.dirs) dirBelow(root, rel.split("/"), "barn import --tar");
    const files: ImportedFile[] = [];
    for (const rel of staged.files) {
      const parts = rel.split("/");
      const dir = dirBelow(root, parts.slice(0, -1), "barn import --tar");
      const at = join(dir, parts[parts.length - 1]!);
      const from = join(staging, ...parts);
      const size = Deno.statSync(from).size;
      if (!placeFile(from, at, opts.overwrite)) {
        throw new BarnError(
          "E_EXISTS",
          `${excerpt(at)} appeared while barn imported; it was left alone, and the files from ` +
            `${excerpt(relative(root, at))} on were not imported`,
        );
      }
      files.push({ path: at, size, sha256: null });
    }
    return { files, size: total.size, sha256: total.sha256 };
  } finally {
    Deno.removeSync(staging, { recursive: true });
  }
}
