/** `barn clean` in the store: which finished jobs a selection takes, and removing their rows, dirs and spent batch journals. */

import { BarnError } from "../errors.ts";
import { isFinished, type Job } from "../jobs/job.ts";
import type { Row } from "./db.ts";
import { removeJobDir } from "./job_dir.ts";
import { pruneBatches } from "./batch_journal.ts";
import { jobOfRow, resolveJob, type StoreBase } from "./job_rows.ts";
import { ROW_COLUMNS } from "./rows.ts";

/** What `clean` removes: the default sweep, named jobs, or finished jobs matching a filter. */
export type CleanSelection =
  | { kind: "default"; failedBefore: string }
  | { kind: "ids"; ids: readonly string[] }
  | {
    kind: "filter";
    tag?: string | undefined;
    state?: "succeeded" | "failed" | "canceled" | undefined;
    finishedBefore?: string | undefined;
  };

/**
 * Removes finished jobs, records and dirs; never an unfinished one. The default sweep takes
 * succeeded and canceled jobs, and failed ones finished before `failedBefore`; named jobs
 * must all be finished (else nothing goes, E_STATE); a filter takes the finished jobs it
 * matches. With `dryRun`, returns what would go and removes nothing.
 */
export function clean(s: StoreBase, sel: CleanSelection, dryRun = false): Job[] {
  const jobs = s.db.tx(() => {
    const chosen = cleanable(s, sel);
    if (dryRun) return chosen;
    const del = s.db.stmt("DELETE FROM jobs WHERE job_id = ?");
    const deps = s.db.stmt("DELETE FROM job_deps WHERE job_id = ?");
    // A pending notification outlives its job: it carries its own body, and goes once delivered.
    const settled = s.db.stmt(
      "DELETE FROM notifications WHERE job_id = ? AND state != 'pending'",
    );
    for (const j of chosen) {
      del.run(j.job_id);
      deps.run(j.job_id);
      settled.run(j.job_id);
    }
    return chosen;
  });
  if (!dryRun && jobs.length > 0) {
    for (const j of jobs) removeJobDir(j.job_dir);
    pruneBatches(s.paths);
  }
  return jobs;
}

/** The finished jobs a clean selection takes, oldest first. */
function cleanable(s: StoreBase, sel: CleanSelection): Job[] {
  if (sel.kind === "ids") {
    const found = new Map<string, Job>();
    for (const ref of sel.ids) {
      const j = resolveJob(s, ref);
      if (!isFinished(j.state)) {
        throw new BarnError(
          "E_STATE",
          `job ${j.job_id} is ${j.state}, and clean removes finished jobs only: ` +
            `\`barn kill ${j.job_id}\` it first (nothing was removed)`,
        );
      }
      found.set(j.job_id, j);
    }
    return [...found.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
  }
  let rows: Row[];
  if (sel.kind === "default") {
    rows = s.db.stmt(
      `SELECT ${ROW_COLUMNS} FROM jobs WHERE state IN ('succeeded', 'canceled') OR (state = 'failed' AND finished_at < ?) ORDER BY created_at`,
    ).all(sel.failedBefore) as Row[];
  } else {
    const where = ["state IN ('succeeded', 'failed', 'canceled')"];
    const params: string[] = [];
    if (sel.tag !== undefined) {
      where.push("tag = ?");
      params.push(sel.tag);
    }
    if (sel.state !== undefined) {
      where.push("state = ?");
      params.push(sel.state);
    }
    if (sel.finishedBefore !== undefined) {
      where.push("finished_at < ?");
      params.push(sel.finishedBefore);
    }
    rows = s.db.stmt(
      `SELECT ${ROW_COLUMNS} FROM jobs WHERE ${where.join(" AND ")} ORDER BY created_at`,
    )
      .all(...params) as Row[];
  }
  return rows.map((r) => jobOfRow(s, r));
}
