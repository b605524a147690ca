/**
 * Opening barn.db at service start: a lock is waited for (never taken for damage), real damage
 * moves the file aside and rebuilds every job from its dir, and a DB that is new or empty while
 * job dirs exist is rebuilt too.
 */

import { DatabaseSync } from "node:sqlite";
import type { Job } from "../jobs/job.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { storeError } from "./db.ts";
import { exists } from "../platform/files.ts";
import {
  commitSnapshot,
  everStarted,
  hasExitFile,
  jobDirFields,
  jobFile,
  readDeliveries,
  readExitFile,
  readSnapshot,
  REMOVING_SUFFIX,
  tryLockJob,
  writeExitFile,
  writeSnapshot,
} from "./job_dir.ts";
import { exitFileOf } from "./job_rows.ts";
import { transition } from "../jobs/transitions.ts";
import { sqliteFailure } from "./sqlite_errors.ts";
import { batchSnapshots, commitBatch, committedBatchExists, readBatches } from "./batch_journal.ts";
import { Store } from "./store.ts";
import {
  cycleBound,
  restoredJob,
  snapshotProblem,
  usableExit,
  waitingAfterRebuild,
} from "./restored_job.ts";

export interface RebuildReport {
  /** Jobs put back, by what became of them. */
  restored: number;
  finished: number;
  running: number;
  interrupted: number;
  held: number;
  /** Job dirs that could not be restored, each with the reason. */
  conflicts: string[];
}

export interface OpenReport {
  store: Store;
  /** Set when the DB was damaged: where the old file went, why, and what came back. */
  rebuilt: { movedTo: string | null; reason: string; report: RebuildReport } | null;
  /** True when there was no DB and no job dir: a first start, or a home emptied by a reboot. */
  fresh: boolean;
  /** Pending snapshots settled against the DB (a crash mid-submission). */
  settled: { committed: number; dropped: number };
  /** Dependencies settled against their jobs' ends (Store.settleDependencies). */
  dependencies: number;
}

type Check = { ok: true } | { ok: false; damaged: true; reason: string };

/** Runs integrity_check; a lock or an I/O failure throws (typed), only damage returns not-ok. */
function checkIntegrity(path: string, busyMs: number): Check {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(path);
    db.exec(`PRAGMA busy_timeout = ${Math.round(busyMs)}`);
    const rows = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    const bad = rows.map((r) => r.integrity_check).filter((x) => x !== "ok");
    return bad.length
      ? { ok: false, damaged: true, reason: bad.slice(0, 3).join("; ") }
      : { ok: true };
  } catch (e) {
    if (sqliteFailure(e) === "corrupt") {
      return { ok: false, damaged: true, reason: (e as Error).message };
    }
    throw storeError(e, "checking barn.db's integrity", path, busyMs);
  } finally {
    try {
      db?.close();
    } catch { /* never opened */ }
  }
}

function jobDirNames(paths: HomePaths): string[] {
  try {
    return [...Deno.readDirSync(paths.jobs)]
      .filter((e) => e.isDirectory && !e.name.endsWith(REMOVING_SUFFIX))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Opens the store for the service, settling damage, emptiness and half-done submissions. */
export function openChecked(paths: HomePaths, busyMs: number): OpenReport {
  let size: number | null = null;
  try {
    size = Deno.statSync(paths.db).size;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  let movedTo: string | null = null;
  let reason: string | null = null;
  if (size !== null && size > 0) {
    const check = checkIntegrity(paths.db, busyMs);
    if (!check.ok) {
      // Never overwrite: the damaged file and its WAL move aside, under a new name.
      movedTo = `${paths.db}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      Deno.renameSync(paths.db, movedTo);
      for (const ext of ["-wal", "-shm"]) {
        try {
          Deno.renameSync(paths.db + ext, movedTo + ext);
        } catch { /* absent */ }
      }
      reason = `barn.db was damaged (${check.reason})`;
    }
  }
  const store = Store.open(paths, busyMs);
  const dirs = jobDirNames(paths);
  if (reason === null && store.db.foundVersion === 0 && dirs.length > 0) {
    reason = size === null
      ? "barn.db was missing while job dirs exist"
      : size === 0
      ? "barn.db was empty (0 bytes) while job dirs exist"
      : "barn.db had no schema while job dirs exist";
  }
  // A rebuild cut short (a SIGKILL, a lock, a full disk) leaves a migrated DB with no jobs: the
  // dirs still hold them, and the next start must rebuild again, not start empty.
  if (
    reason === null && dirs.length > 0 &&
    store.db.stmt("SELECT 1 FROM jobs LIMIT 1").get() === undefined &&
    (dirs.some((d) => exists(jobFile(paths.jobDir(d), "snapshot"))) ||
      committedBatchExists(paths))
  ) {
    reason = "barn.db had no jobs while job dirs hold committed ones (a rebuild cut short?)";
  }
  if (reason !== null) {
    const report = rebuildFromDirs(store, paths, dirs);
    return {
      store,
      rebuilt: { movedTo, reason, report },
      fresh: false,
      settled: { committed: 0, dropped: 0 },
      dependencies: 0,
    };
  }
  const settled = store.settlePendingSnapshots();
  const dependencies = store.settleDependencies();
  return {
    store,
    rebuilt: null,
    fresh: size === null && dirs.length === 0,
    settled,
    dependencies,
  };
}

/** What one job dir says of its job, or why it cannot be restored. */
function restoredFromDir(
  dir: string,
  name: string,
  now: string,
  batches: ReadonlyMap<string, { job: Job; pending: boolean }>,
): { job: Job; kind: string; pending: boolean } | string {
  let snapshot: unknown = readSnapshot(dir);
  let pending = false;
  if (snapshot === null) {
    snapshot = readSnapshot(dir, "pending");
    pending = snapshot !== null;
  }
  // A batch's job has its snapshot in the batch's journal; a file in its dir (a rewrite after a
  // release, or one that is unreadable) has the last word.
  const inBatch = batches.get(name);
  if (snapshot === null && inBatch && !hasOwnSnapshot(dir)) {
    snapshot = inBatch.job;
    pending = inBatch.pending;
  }
  if (snapshot === null) return "no readable job.json";
  const problem = snapshotProblem(snapshot, name);
  if (problem !== null) return problem;
  let exit = usableExit(readExitFile(dir));
  // Looked at before the lock is tried: trying creates the lock file.
  const started = everStarted(dir);
  let supervised = false;
  if (started) {
    try {
      const lock = tryLockJob(dir);
      if (lock) {
        // A supervisor writes exit.json before it lets go of the lock: a job that ended since
        // the first read has it now, and is not taken for interrupted.
        if (exit === null) exit = usableExit(readExitFile(dir));
        lock.close();
      } else supervised = true;
    } catch { /* no lock possible: not supervised */ }
  }
  const r = restoredJob(
    { ...(snapshot as Job), ...jobDirFields(dir) },
    pending,
    exit,
    supervised,
    started,
    now,
    exit === null && hasExitFile(dir),
  );
  return { ...r, pending };
}

/** Puts every job of the dirs back, job by job: one bad dir never stops the others. */
export function rebuildFromDirs(store: Store, paths: HomePaths, dirs: string[]): RebuildReport {
  const report: RebuildReport = {
    restored: 0,
    finished: 0,
    running: 0,
    interrupted: 0,
    held: 0,
    conflicts: [],
  };
  const found: { job: Job; kind: string; pending: boolean }[] = [];
  const now = new Date().toISOString();
  const journals = readBatches(paths);
  const batches = batchSnapshots(journals);
  for (const name of dirs) {
    // One dir at a time: whatever is in it, it never stops the others.
    try {
      const r = restoredFromDir(paths.jobDir(name), name, now, batches);
      if (typeof r === "string") report.conflicts.push(`${name}: ${r}; left as it is`);
      else found.push(r);
    } catch (e) {
      report.conflicts.push(`${name}: ${(e as Error).message}; left as it is`);
    }
  }
  found.sort((a, b) => a.job.created_at.localeCompare(b.job.created_at));
  const byId = new Map(found.map((f) => [f.job.job_id, f.job]));
  const present = new Set(dirs);
  for (const f of found) {
    f.job.waiting_for = waitingAfterRebuild(
      f.job,
      (id) => byId.get(id)?.state ?? (present.has(id) ? "unrestored" : "absent"),
    );
  }
  const stuck = cycleBound(found.map((f) => f.job));
  for (const f of found) {
    if (!stuck.has(f.job.job_id)) continue;
    // Dependencies that wait for each other never start: ended as a failed dependency would end them.
    const waited = f.job.waiting_for.filter((id) => stuck.has(id));
    f.job = transition({ ...f.job, waiting_for: [] }, {
      type: "dependency_failed",
      error: `restored by a DB rebuild waiting for ${waited.join(", ")}, which wait in a cycle ` +
        "that leads back to it (job.json files edited by hand): it could never start " +
        "(`barn retry` runs it, without waiting)",
    }, now);
    f.kind = "finished";
    writeExitFile(f.job.job_dir, exitFileOf(f.job));
    report.conflicts.push(
      `${f.job.job_id}: its dependencies wait in a cycle; canceled E_DEPENDENCY`,
    );
  }
  store.tx(() => {
    for (const f of found) {
      // A savepoint per job: one that fails half-way leaves none of its rows behind.
      store.db.raw.exec("SAVEPOINT restore_one");
      try {
        if (!store.restore(f.job, readDeliveries(f.job.job_dir))) {
          report.conflicts.push(
            `${f.job.job_id}: its key '${f.job.key}' is taken by an older job; left out`,
          );
          store.db.raw.exec("RELEASE restore_one");
          continue;
        }
        store.db.raw.exec("RELEASE restore_one");
      } catch (e) {
        store.db.raw.exec("ROLLBACK TO restore_one");
        store.db.raw.exec("RELEASE restore_one");
        report.conflicts.push(`${f.job.job_id}: ${(e as Error).message}`);
        continue;
      }
      report.restored++;
      if (f.kind === "finished") report.finished++;
      else if (f.kind === "running") report.running++;
      else if (f.kind === "interrupted") report.interrupted++;
      else if (f.kind === "held") report.held++;
    }
  });
  // Dependents of jobs that ended, or could not be restored, learn of it now.
  store.settleDependencies();
  for (const f of found) {
    if (!f.pending) continue;
    try {
      if (exists(jobFile(f.job.job_dir, "pending"))) commitSnapshot(f.job.job_dir);
      // Held on the rebuild latch: its own job.json says so, over its batch's journal.
      if (f.kind === "held") writeSnapshot(f.job);
    } catch { /* the DB has it now */ }
  }
  const restored = new Set(found.map((f) => f.job.job_id));
  for (const j of journals) {
    if (!j.pending || !j.jobs.some((job) => restored.has(job.job_id))) continue;
    try {
      commitBatch(j.path);
    } catch { /* the DB has its jobs now */ }
  }
  return report;
}

/** Whether the dir has a snapshot file of its own, readable or not. */
function hasOwnSnapshot(dir: string): boolean {
  return exists(jobFile(dir, "snapshot")) || exists(jobFile(dir, "pending"));
}
