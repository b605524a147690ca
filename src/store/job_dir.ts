/**
 * One job's directory, jobs/<id>/: the one owner of its layout and of the files barn keeps
 * there (the job.json snapshot, exit.json, the supervisor lock, a stop request, the logs, the
 * progress socket and the 0600 secrets). Every file is created without following a planted
 * link.
 */

import { makeDir } from "../platform/make_dir.ts";
import { join } from "../platform/path.ts";
import { SECRETS_DIR } from "../platform/home_layout.ts";
import { BarnError } from "../errors.ts";
import {
  exists,
  openPrivateFile,
  readText,
  readTextIfExists,
  writeAllSync,
  writeFileAtomic,
  writeNewPrivateFile,
} from "../platform/files.ts";
import type { Job } from "../jobs/job.ts";
import type { ExitInfo, StopReason } from "../jobs/transitions.ts";
import { parseJson } from "../json.ts";

/**
 * The contents of exit.json: a job's final word, written before the DB records the end, so no
 * exit is ever lost and a rebuild knows how every finished job ended. A supervisor writes the
 * process's status; the store writes the ending of a job that had no process to wait for
 * (canceled while queued, interrupted), with `final` holding the record's verdict.
 */
export interface ExitFile extends ExitInfo {
  job_id: string;
  finished_at: string;
  /** When the job started and its pid, so a rebuild keeps them (absent in files of older barns). */
  started_at?: string | null;
  pid?: number | null;
  final?: Pick<Job, "state" | "exit_code" | "error"> | undefined;
}

/** A job dir's files, by role. */
export const JOB_FILES = {
  snapshot: "job.json",
  /** The snapshot of a submission not yet known to be committed (see writePendingSnapshot). */
  pending: "job.pending.json",
  exit: "exit.json",
  lock: "supervisor.lock",
  stop: "cancel.json",
  stdout: "stdout.log",
  stderr: "stderr.log",
  progress: "progress.sock",
  secrets: SECRETS_DIR,
  /** Completion webhooks already delivered, so a rebuilt DB does not send them again. */
  delivered: "delivered.json",
} as const;

export function jobFile(jobDir: string, role: keyof typeof JOB_FILES): string {
  return join(jobDir, JOB_FILES[role]);
}

/** The record fields that follow from the dir alone. */
export function jobDirFields(jobDir: string): Pick<Job, "job_dir" | "stdout_path" | "stderr_path"> {
  return {
    job_dir: jobDir,
    stdout_path: jobFile(jobDir, "stdout"),
    stderr_path: jobFile(jobDir, "stderr"),
  };
}

/** Creates a new job dir (0700); false when the path is taken. */
export function createJobDir(jobDir: string): boolean {
  try {
    Deno.mkdirSync(jobDir, { mode: 0o700 });
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  }
}

function snapshotText(job: Job): string {
  return JSON.stringify(job, null, 2) + "\n";
}

/**
 * The first half of a submission's two steps: the snapshot is written, as job.pending.json,
 * BEFORE the DB commit, so that every committed job can be rebuilt from its dir. A failure
 * throws (the submission fails). `commitSnapshot` renames it to job.json once the DB has
 * committed; a pending snapshot left by a crash is settled against the DB at the next start.
 */
export function writePendingSnapshot(job: Job): void {
  writeNewPrivateFile(jobFile(job.job_dir, "pending"), snapshotText(job));
}

/** The second half: the DB committed the job, so its snapshot is final. */
export function commitSnapshot(jobDir: string): void {
  Deno.renameSync(jobFile(jobDir, "pending"), jobFile(jobDir, "snapshot"));
}

/** Rewrites job.json (after a change a rebuild must know, such as a release); never fails the caller. */
export function writeSnapshot(job: Job): void {
  try {
    writeFileAtomic(jobFile(job.job_dir, "snapshot"), snapshotText(job));
  } catch {
    // The DB stays the authority; a rebuild then restores the older snapshot, which is safe.
  }
}

/** The job.json of a dir (or its pending snapshot), or null when there is none readable. */
export function readSnapshot(
  jobDir: string,
  which: "snapshot" | "pending" = "snapshot",
): Job | null {
  try {
    return parseJson(readText(jobFile(jobDir, which), "a job snapshot")) as Job;
  } catch {
    return null;
  }
}

/** One JSON file of the dir, or null when there is none; `unreadable` when it does not parse. */
function readJsonFile<T>(
  jobDir: string,
  role: keyof typeof JOB_FILES,
  unreadable: T | null,
): T | null {
  const text = readTextIfExists(jobFile(jobDir, role));
  if (text === null) return null;
  try {
    return parseJson(text) as T;
  } catch {
    return unreadable;
  }
}

/** Whether the job ever came to start: its supervisor takes the lock and opens the logs first. */
export function everStarted(jobDir: string): boolean {
  return (["lock", "stdout", "stderr"] as const).some((r) => exists(jobFile(jobDir, r)));
}

/** Writes exit.json atomically; false when it could not be written (the DB write still follows). */
export function writeExitFile(jobDir: string, file: ExitFile): boolean {
  try {
    writeFileAtomic(jobFile(jobDir, "exit"), JSON.stringify(file) + "\n");
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes exit.json through the job's lock, which its supervisor holds: the record goes into the
 * lock file, which is then hard-linked as exit.json. exit.json so appears whole or not at all, as
 * with a rename, without a new file per job (creating one is most of a job's file cost). Anything
 * in the way (an exit.json already there, a lock file swapped under it, or one that is not empty or
 * has a second name) falls back to writeExitFile, which renames over it. False when exit.json could
 * not be written.
 */
export function writeExitFileThroughLock(
  lock: Deno.FsFile,
  jobDir: string,
  file: ExitFile,
): boolean {
  const exit = jobFile(jobDir, "exit");
  try {
    const held = lock.statSync();
    // Only the empty file of one name the supervisor made is written: a lock that holds bytes or
    // has a second name (a file hard-linked there, an exit.json already linked) is someone's data,
    // or a record a reader would see cut; those go through the fallback.
    if (held.size === 0 && held.nlink === 1) {
      writeAllSync(lock, new TextEncoder().encode(JSON.stringify(file) + "\n"));
      Deno.linkSync(jobFile(jobDir, "lock"), exit);
      // The link names whatever is at supervisor.lock now: it must be the file held and written.
      const made = Deno.lstatSync(exit);
      if (made.isFile && made.ino === held.ino && made.dev === held.dev) return true;
    }
  } catch { /* the fallback below */ }
  return writeExitFile(jobDir, file);
}

/** exit.json, or null when there is none; an unreadable one counts as none. */
export function readExitFile(jobDir: string): ExitFile | null {
  return readJsonFile<ExitFile>(jobDir, "exit", null);
}

export function hasExitFile(jobDir: string): boolean {
  return exists(jobFile(jobDir, "exit"));
}

/**
 * Takes the dir's supervisor lock, or returns null when another live process holds it. The lock
 * file is barn's own: anything planted there (a link, a dir) is refused, never followed.
 */
export function tryLockJob(jobDir: string): Deno.FsFile | null {
  const f = openOwnFile(jobFile(jobDir, "lock"), { read: true });
  if (f.tryLockSync(true)) return f;
  f.close();
  return null;
}

/**
 * Opens one of barn's own files in a job dir, creating it (0600) if needed and never through a
 * link; anything planted there (a link, a dir) is refused with E_START_FAILED, and left alone.
 */
export function openOwnFile(path: string, mode: { read?: boolean }): Deno.FsFile {
  try {
    return openPrivateFile(path, mode);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw e;
    throw new BarnError(
      "E_START_FAILED",
      `${path} is not a plain file of barn's (${(e as Error).message}); it was left alone ` +
        "(remove it, then `barn retry` the job)",
      { cause: e },
    );
  }
}

/** Which of the job's notifications were delivered, and when (absent or unreadable: none). */
export function readDeliveries(jobDir: string): Map<string, string> {
  try {
    const text = readTextIfExists(jobFile(jobDir, "delivered"));
    const o = text === null ? {} : parseJson(text);
    return new Map(
      Object.entries(o as Record<string, unknown>).filter((e): e is [string, string] =>
        typeof e[1] === "string"
      ),
    );
  } catch {
    return new Map();
  }
}

/**
 * Notes a delivered notification in the job dir (best effort: without it a rebuild sends it again,
 * which at-least-once allows). Synchronous, so one process's writes never interleave.
 */
export function markDelivered(jobDir: string, deliveryId: string, at: string): void {
  try {
    const all = Object.fromEntries(readDeliveries(jobDir));
    all[deliveryId] = at;
    writeFileAtomic(jobFile(jobDir, "delivered"), JSON.stringify(all) + "\n");
  } catch { /* the job dir is gone (cleaned) or full: the DB keeps the delivery */ }
}

/** Leaves a stop request in the dir, where an --offline supervisor looks for it. */
export function writeStopRequest(jobDir: string, reason: StopReason): void {
  writeFileAtomic(jobFile(jobDir, "stop"), JSON.stringify(reason));
}

/** The stop request, or null when there is none; an unreadable one is still a kill. */
export function readStopRequest(jobDir: string): StopReason | null {
  return readJsonFile<StopReason>(jobDir, "stop", {
    code: "E_CANCELED",
    error: "canceled by `barn kill`",
  });
}

/** The secret files a job may have: curl config files (one per group; older jobs: curl.conf), a WebDAV login. */
export type SecretName = "curl.conf" | `curl-${number}.conf` | "dav.json";

/** Writes one file into secrets/ (0700 dir, 0600 file, never an existing path); returns its path. */
export function writeSecret(jobDir: string, name: SecretName, text: string): string {
  const dir = jobFile(jobDir, "secrets");
  if (!makeDir(dir, 0o700).isDirectory) {
    throw new BarnError("E_SANDBOX", `${dir} is not a directory of barn's; it was left alone`);
  }
  const path = join(dir, name);
  writeNewPrivateFile(path, text);
  return path;
}

export function secretPath(jobDir: string, name: SecretName): string {
  return join(jobFile(jobDir, "secrets"), name);
}

export function readSecret(jobDir: string, name: SecretName): string | null {
  return readTextIfExists(secretPath(jobDir, name));
}

/** What a job dir is renamed to while it is removed: never an id, so never restored. */
export const REMOVING_SUFFIX = ".removing";

/**
 * Removes a job dir and everything in it; a dir already gone is fine. The dir first leaves its
 * id's name in one rename: a removal cut short (a SIGKILL) must not leave an emptied dir that a
 * rebuild takes for a job never started (a batch's job has its snapshot outside its dir).
 */
export function removeJobDir(jobDir: string): void {
  finishRemoval(jobDir); // one cut short before
  try {
    Deno.renameSync(jobDir, jobDir + REMOVING_SUFFIX);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  finishRemoval(jobDir);
}

/** Removes what is left of a job dir's removal (`<dir>.removing`); none is fine. */
export function finishRemoval(jobDir: string): void {
  try {
    Deno.removeSync(jobDir + REMOVING_SUFFIX, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
