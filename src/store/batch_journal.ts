/**
 * A batch submission's snapshot: one file for all of its jobs (jobs/<first id>.batch.json, one
 * job.json record a line) instead of a job.json in each job dir, so a batch of 1000 jobs creates
 * one file, not 1000. Written as `.batch.pending.json` before the DB commit and renamed after it,
 * as a lone job's job.pending.json is; a rebuild reads it for every job dir without a snapshot of
 * its own, and `barn clean` removes it once none of its jobs has a dir left.
 */

import type { Job } from "../jobs/job.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { join } from "../platform/path.ts";
import { readText, writeNewPrivateFile } from "../platform/files.ts";
import { ID_PATTERN } from "../jobs/ids.ts";
import { parseJson } from "../json.ts";

const COMMITTED = ".batch.json";
const PENDING = ".batch.pending.json";

/** A journal found in jobs/: its path, whether its commit is still unconfirmed, and its jobs. */
export interface BatchJournal {
  path: string;
  pending: boolean;
  jobs: Job[];
}

function journalPath(paths: HomePaths, firstId: string, pending: boolean): string {
  return join(paths.jobs, firstId + (pending ? PENDING : COMMITTED));
}

/**
 * Writes the journal of `jobs` (two or more, their dirs made) before the commit; a failure
 * throws (the submission fails). Returns its path, for `commitBatch` and `dropBatch`.
 */
export function writePendingBatch(paths: HomePaths, jobs: readonly Job[]): string {
  const path = journalPath(paths, jobs[0]!.job_id, true);
  try {
    writeNewPrivateFile(path, jobs.map((j) => JSON.stringify(j)).join("\n") + "\n");
  } catch (e) {
    // A write cut short (a full disk) must not leave its half, holding the space, until a start.
    if (!(e instanceof Deno.errors.AlreadyExists)) dropBatch(path);
    throw e;
  }
  return path;
}

/** The DB committed the batch: its journal is final. */
export function commitBatch(pendingPath: string): void {
  Deno.renameSync(pendingPath, pendingPath.slice(0, -PENDING.length) + COMMITTED);
}

/** Removes a journal (a batch that was never committed, or whose jobs are all cleaned). */
export function dropBatch(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * Every journal in jobs/, committed and pending. A journal that cannot be read, or a line of one
 * that does not parse or names no barn id, holds no job (a rebuild finds no snapshot for it).
 */
export function readBatches(paths: HomePaths): BatchJournal[] {
  let names: string[];
  try {
    names = [...Deno.readDirSync(paths.jobs)].filter((e) => e.isFile).map((e) => e.name);
  } catch {
    return [];
  }
  const out: BatchJournal[] = [];
  for (const name of names) {
    const pending = name.endsWith(PENDING);
    if (!pending && !name.endsWith(COMMITTED)) continue;
    const path = join(paths.jobs, name);
    let text: string;
    try {
      text = readText(path, "a batch snapshot");
    } catch {
      continue;
    }
    const jobs: Job[] = [];
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        const job = parseJson(line) as Job;
        // Only a barn id names a job (and its dir): nothing here reaches outside jobs/.
        if (ID_PATTERN.test(String(job?.job_id))) jobs.push(job);
      } catch { /* a torn line: that job has no snapshot here */ }
    }
    out.push({ path, pending, jobs });
  }
  return out;
}

/** Every job's snapshot in the journals, by id: a committed journal's over a pending one's. */
export function batchSnapshots(
  journals: readonly BatchJournal[],
): Map<string, { job: Job; pending: boolean }> {
  const out = new Map<string, { job: Job; pending: boolean }>();
  for (const j of journals) {
    for (const job of j.jobs) {
      const had = out.get(job.job_id);
      if (!had || (had.pending && !j.pending)) out.set(job.job_id, { job, pending: j.pending });
    }
  }
  return out;
}

/**
 * Whether jobs/ holds a committed journal with a job whose dir is there (a rebuild cut short must
 * then run again); a spent one, whose jobs were all cleaned, restores nothing.
 */
export function committedBatchExists(paths: HomePaths): boolean {
  return readBatches(paths).some((b) => !b.pending && b.jobs.some((j) => hasDir(paths, j)));
}

function hasDir(paths: HomePaths, job: Job): boolean {
  try {
    Deno.lstatSync(paths.jobDir(job.job_id));
    return true;
  } catch {
    return false;
  }
}

/** Removes committed journals none of whose jobs has a dir left (after a clean). */
export function pruneBatches(paths: HomePaths): number {
  let n = 0;
  for (const b of readBatches(paths)) {
    if (b.pending || b.jobs.length === 0) continue;
    if (!b.jobs.some((j) => hasDir(paths, j))) {
      dropBatch(b.path);
      n++;
    }
  }
  return n;
}
