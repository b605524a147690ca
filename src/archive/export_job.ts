/**
 * `barn export`: one finished job as a tar stream: its record, its logs and the files it wrote,
 * every one resolved through the sandbox (realPath, below /tmp/barn, never a secret, regular
 * files only), and last a manifest with each file's size and sha256 and what was left out, why.
 */

import { createHash } from "node:crypto";
import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";
import type { Job } from "../jobs/job.ts";
import { insideSandbox, SANDBOX_ROOT } from "../platform/home_layout.ts";
import { openRead } from "../platform/files.ts";
import { relative, resolve } from "../platform/path.ts";
import { sandboxPath } from "../platform/sandbox_path.ts";
import { isSecretPath } from "../platform/sandbox_path.ts";
import { VERSION } from "../version.ts";
import { jobOutputs } from "./job_outputs.ts";
import { TarOut } from "./tar.ts";
import { inlineSha256, Sha256Worker, WORKER_MIN_BYTES } from "./sha256_stream.ts";

export interface ExportOptions {
  logs: boolean;
  outputs: boolean;
  /** Further files (`--include`), as given, resolved against `cwd`. */
  include: string[];
  cwd: string;
}

/** One file of the archive: its name there and the real path it is read from. */
export interface PlannedFile {
  name: string;
  path: string;
  role: "log" | "output";
}

export interface Skipped {
  path: string;
  reason: string;
}

export interface Manifest {
  format: "barn-export/1";
  job_id: string;
  exported_at: string;
  barn_version: string;
  /** Every file of the archive but the manifest itself, in archive order. */
  files: { name: string; path: string | null; role: string; size: number; sha256: string }[];
  skipped: Skipped[];
}

/** The archive's top directory. */
export function exportRoot(job: Job): string {
  return `barn-${job.job_id}`;
}

type Judged = { path: string } | { skip: string; code: "E_SANDBOX" | "E_NOT_FOUND" | "E_USAGE" };

/** Where a path really leads and whether barn may export it; the reason when not. */
function judge(path: string, what: string, cwd: string): Judged {
  let real: string;
  try {
    real = sandboxPath(path, what, cwd);
  } catch (e) {
    if (!(e instanceof BarnError)) {
      // e.g. ENAMETOOLONG from a failed job's output name: skip it, never the whole export.
      return {
        code: "E_USAGE",
        skip: `barn could not resolve it: ${excerpt((e as Error)?.message ?? String(e), 120)}`,
      };
    }
    return {
      code: "E_SANDBOX",
      skip: insideSandbox(resolve(cwd, path))
        ? "it leads through a link out of barn's sandbox"
        : `it is outside barn's sandbox ${SANDBOX_ROOT}, where barn may not read`,
    };
  }
  if (isSecretPath(real)) {
    return { code: "E_SANDBOX", skip: "it is one of barn's secrets, which barn never exports" };
  }
  let st: Deno.FileInfo;
  try {
    st = Deno.lstatSync(real);
  } catch {
    return { code: "E_NOT_FOUND", skip: "it does not exist" };
  }
  if (!st.isFile) {
    return {
      code: "E_USAGE",
      skip: `it is not a regular file (${st.isDirectory ? "a directory" : "a special file"})`,
    };
  }
  return { path: real };
}

/** What the archive will hold (I/O: realPath and lstat); `--include` paths that fail are errors. */
export function planExport(
  job: Job,
  opts: ExportOptions,
): { files: PlannedFile[]; skipped: Skipped[] } {
  const root = exportRoot(job);
  const files: PlannedFile[] = [];
  const skipped: Skipped[] = [];
  if (opts.logs) {
    for (const [name, path] of [["stdout.log", job.stdout_path], ["stderr.log", job.stderr_path]]) {
      const j = judge(path!, "a log", job.cwd);
      if ("path" in j) files.push({ name: `${root}/logs/${name}`, path: j.path, role: "log" });
      else skipped.push({ path: path!, reason: j.skip });
    }
  }
  if (opts.outputs) {
    const add = (real: string) => {
      if (files.some((f) => f.path === real)) return;
      files.push({
        name: `${root}/outputs/${relative(SANDBOX_ROOT, real)}`,
        path: real,
        role: "output",
      });
    };
    const known = jobOutputs(job.command, job.cwd);
    for (const o of known.files) {
      const j = judge(o.path, `the ${o.from}`, job.cwd);
      if ("path" in j) add(j.path);
      else skipped.push({ path: o.path, reason: j.skip });
    }
    for (const u of known.unknown) skipped.push({ path: u.what, reason: u.reason });
    for (const inc of opts.include) {
      const j = judge(inc, "--include", opts.cwd);
      if ("skip" in j) {
        throw new BarnError(
          j.code,
          `--include=${excerpt(inc)}: ${j.skip}; nothing was exported (see docs/security.md)`,
        );
      }
      add(j.path);
    }
  }
  return { files, skipped };
}

/** Writes the archive to `sink`; returns its manifest (also its last entry). */
export async function writeExport(
  job: Job,
  plan: { files: PlannedFile[]; skipped: Skipped[] },
  sink: (chunk: Uint8Array) => Promise<void>,
  now = new Date(),
): Promise<Manifest> {
  const root = exportRoot(job);
  const tar = new TarOut(sink);
  const manifest: Manifest = {
    format: "barn-export/1",
    job_id: job.job_id,
    exported_at: now.toISOString(),
    barn_version: VERSION,
    files: [],
    skipped: [...plan.skipped],
  };
  const record = await tar.text(`${root}/job.json`, JSON.stringify(job, null, 2) + "\n", now);
  manifest.files.push({
    name: `${root}/job.json`,
    path: null,
    role: "record",
    size: record.length,
    sha256: createHash("sha256").update(record).digest("hex"),
  });
  const workers: { one: Sha256Worker | null } = { one: null };
  try {
    for (const f of plan.files) await exportFile(tar, f, manifest, workers, now);
  } finally {
    workers.one?.close();
  }
  await tar.text(`${root}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n", now);
  await tar.finish();
  return manifest;
}

/** One file into the archive and the manifest, or into `skipped` when it can no longer be read. */
async function exportFile(
  tar: TarOut,
  f: PlannedFile,
  manifest: Manifest,
  workers: { one: Sha256Worker | null },
  now: Date,
): Promise<void> {
  let file: Deno.FsFile;
  try {
    // Checked again at open: the same file, still inside the sandbox.
    file = openRead(f.path, f.role === "log" ? "a log" : "an output");
  } catch (e) {
    manifest.skipped.push({
      path: f.path,
      reason: e instanceof Deno.errors.NotFound
        ? "it vanished while barn exported the job"
        : `barn could not open it: ${excerpt((e as Error).message, 200)}`,
    });
    return;
  }
  try {
    const st = file.statSync();
    if (!st.isFile) {
      manifest.skipped.push({ path: f.path, reason: "it is no longer a regular file" });
      return;
    }
    const h = st.size >= WORKER_MIN_BYTES
      ? (workers.one ??= new Sha256Worker()).stream()
      : inlineSha256();
    await tar.file(
      { name: f.name, size: st.size, mode: 0o600, mtime: st.mtime ?? now },
      file,
      (c) => h.update(c),
    );
    manifest.files.push({
      name: f.name,
      path: f.path,
      role: f.role,
      size: st.size,
      sha256: await h.digest(),
    });
  } finally {
    file.close();
  }
}
