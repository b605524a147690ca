/**
 * One job's directory, jobs/<id>/: the one owner of its layout and of the files barn keeps
 * there (the job.json snapshot, exit.json, the supervisor lock, a stop request, the logs, the
 * progress socket and the 0600 secrets). Every file is created without following a planted
 * link.
 */

import { join } from "../platform/path.ts";
import { readTextIfExists, writeFileAtomic, writeNewPrivateFile } from "../platform/files.ts";
import type { Job } from "../jobs/job.ts";
import type { ExitInfo, StopReason } from "../jobs/transitions.ts";

/** The contents of exit.json, written before the DB so no exit is ever lost. */
export interface ExitFile extends ExitInfo {
  job_id: string;
  finished_at: string;
}

/** A job dir's files, by role. */
export const JOB_FILES = {
  snapshot: "job.json",
  exit: "exit.json",
  lock: "supervisor.lock",
  stop: "cancel.json",
  stdout: "stdout.log",
  stderr: "stderr.log",
  progress: "progress.sock",
  secrets: "secrets",
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

/** Writes job.json; a failure (e.g. a full disk) must not fail the DB write, which stays the authority. */
export function writeSnapshot(job: Job): void {
  try {
    writeFileAtomic(jobFile(job.job_dir, "snapshot"), JSON.stringify(job, null, 2) + "\n");
  } catch {
    // The next write retries the snapshot.
  }
}

/** The job.json of a dir, or null when it is missing or unreadable. */
export function readSnapshot(jobDir: string): Job | null {
  try {
    return JSON.parse(Deno.readTextFileSync(jobFile(jobDir, "snapshot"))) as Job;
  } catch {
    return null;
  }
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

export function readExitFile(jobDir: string): ExitFile | null {
  const text = readTextIfExists(jobFile(jobDir, "exit"));
  return text === null ? null : JSON.parse(text) as ExitFile;
}

/** Takes the dir's supervisor lock, or returns null when another live process holds it. */
export function tryLockJob(jobDir: string): Deno.FsFile | null {
  const f = Deno.openSync(jobFile(jobDir, "lock"), {
    read: true,
    write: true,
    create: true,
    mode: 0o600,
  });
  if (f.tryLockSync(true)) return f;
  f.close();
  return null;
}

/** Leaves a stop request in the dir, where an --offline supervisor looks for it. */
export function writeStopRequest(jobDir: string, reason: StopReason): void {
  writeFileAtomic(jobFile(jobDir, "stop"), JSON.stringify(reason));
}

export function readStopRequest(jobDir: string): StopReason | null {
  const text = readTextIfExists(jobFile(jobDir, "stop"));
  if (text === null) return null;
  try {
    return JSON.parse(text) as StopReason;
  } catch {
    return { code: "E_CANCELED", error: "canceled by `barn kill`" };
  }
}

/** The secret files a job may have: curl config files (one per group; older jobs: curl.conf), a WebDAV login. */
export type SecretName = "curl.conf" | `curl-${number}.conf` | "dav.json";

/** Writes one file into secrets/ (0700 dir, 0600 file, never an existing path); returns its path. */
export function writeSecret(jobDir: string, name: SecretName, text: string): string {
  const dir = jobFile(jobDir, "secrets");
  try {
    Deno.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
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

/** Removes a job dir and everything in it; a dir already gone is fine. */
export function removeJobDir(jobDir: string): void {
  try {
    Deno.removeSync(jobDir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
