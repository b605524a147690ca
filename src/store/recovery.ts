/** Start-up checks of barn.db: integrity, and a rebuild from the job.json snapshots when it is damaged. */

import { DatabaseSync } from "node:sqlite";
import type { Job } from "../jobs/job.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { Store } from "./store.ts";
import { readSnapshot } from "./job_dir.ts";

export interface OpenReport {
  store: Store;
  /** Set when the DB was damaged: where the old file went and how many jobs came back. */
  rebuilt: { movedTo: string; restored: number; reason: string } | null;
  /** True when there was no DB at all: a first start, or a home emptied by a reboot. */
  fresh: boolean;
}

function integrityProblem(path: string): string | null {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 10000");
    const rows = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    const bad = rows.map((r) => r.integrity_check).filter((x) => x !== "ok");
    return bad.length ? bad.slice(0, 3).join("; ") : null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    try {
      db?.close();
    } catch { /* never opened */ }
  }
}

/** Opens the store, moving a damaged DB aside (never overwriting it) and rebuilding from job dirs. */
export function openChecked(paths: HomePaths): OpenReport {
  let fresh = false;
  try {
    Deno.statSync(paths.db);
  } catch {
    fresh = true;
  }
  if (!fresh) {
    const problem = integrityProblem(paths.db);
    if (problem !== null) {
      const movedTo = `${paths.db}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      Deno.renameSync(paths.db, movedTo);
      for (const ext of ["-wal", "-shm"]) {
        try {
          Deno.renameSync(paths.db + ext, movedTo + ext);
        } catch { /* absent */ }
      }
      const store = Store.open(paths);
      const restored = rebuildFromSnapshots(store, paths);
      return { store, rebuilt: { movedTo, restored, reason: problem }, fresh: false };
    }
  }
  return { store: Store.open(paths), rebuilt: null, fresh };
}

/** Reads every jobs/<id>/job.json back into the store. */
export function rebuildFromSnapshots(store: Store, paths: HomePaths): number {
  let n = 0;
  const jobs: Job[] = [];
  for (const entry of Deno.readDirSync(paths.jobs)) {
    if (!entry.isDirectory) continue;
    const job = readSnapshot(paths.jobDir(entry.name));
    // A dir without a readable snapshot is skipped.
    if (job?.job_id === entry.name) jobs.push(job);
  }
  jobs.sort((a, b) => a.created_at.localeCompare(b.created_at));
  store.tx(() => {
    for (const job of jobs) {
      store.restore(job);
      n++;
    }
  });
  return n;
}
