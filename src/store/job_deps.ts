/** Unmet dependencies (the job_deps table): a job's end settles its dependents in the same transaction. */

import type { Job } from "../jobs/job.ts";
import { transition } from "../jobs/transitions.ts";
import type { Row } from "./db.ts";
import { writeExitFile } from "./job_dir.ts";
import {
  exitFileOf,
  getJob,
  insertEvent,
  jobOfRow,
  nowIso,
  type StoreBase,
  writeRow,
} from "./job_rows.ts";
import { ROW_COLUMNS } from "./rows.ts";
import { enqueue } from "./outbox.ts";

/** How a job's end reads in its dependents' errors. */
function endText(job: Job): string {
  return job.state === "canceled"
    ? `was canceled (${job.exit_code})`
    : `failed (exit_code ${job.exit_code})`;
}

/**
 * Inside a transaction, after `ended` reached a final state: a success lets its dependents
 * go on; a failure or cancel cancels them (E_DEPENDENCY, with their exit.json), and theirs,
 * transitively. `only` limits it to some dependents (a submission's own new jobs).
 */
export function afterEnd(s: StoreBase, ended: Job, only?: readonly string[]): void {
  const now = nowIso();
  const work: { ended: Job; root: Job; only?: readonly string[] | undefined }[] = [{
    ended,
    root: rootCause(s, ended),
    only,
  }];
  const mine = s.db.stmt("DELETE FROM job_deps WHERE job_id = ?");
  const dependents = s.db.stmt("SELECT job_id FROM job_deps WHERE after_id = ?");
  const drop = s.db.stmt("DELETE FROM job_deps WHERE job_id = ? AND after_id = ?");
  while (work.length) {
    const { ended, root, only } = work.pop()!;
    // Every end passes here (its own, or one it causes): its webhooks join the outbox.
    enqueue(s, ended, now);
    // Its own edges exist only for jobs in its `after` (waiting_for is a part of it).
    if (ended.after.length > 0) mine.run(ended.job_id);
    const ids = only ?? (dependents.all(ended.job_id) as Row[]).map((r) => r.job_id as string);
    for (const id of ids) {
      drop.run(id, ended.job_id);
      const row = s.db.stmt(`SELECT ${ROW_COLUMNS} FROM jobs WHERE job_id = ?`).get(id) as
        | Row
        | undefined;
      if (!row) continue;
      const before = jobOfRow(s, row);
      if (before.state !== "queued") continue;
      if (ended.state === "succeeded") {
        writeRow(
          s,
          transition(before, { type: "dependency_met", job_id: ended.job_id }, now),
          before,
        );
        continue;
      }
      const error = `job ${root.job_id} ${endText(root)}, and this job runs after it` +
        (root.job_id === ended.job_id ? "" : ` (through job ${ended.job_id})`) +
        "; it never ran (`barn retry` runs it, without waiting)";
      const done = transition(before, { type: "dependency_failed", error }, now);
      writeExitFile(done.job_dir, exitFileOf(done));
      writeRow(s, done, before);
      insertEvent(s, id, done.state, now);
      work.push({ ended: done, root });
    }
  }
}

/** The job whose failure a dependency cancel goes back to (itself, unless it ended E_DEPENDENCY). */
function rootCause(s: StoreBase, job: Job): Job {
  for (let i = 0; i < 10_000 && job.exit_code === "E_DEPENDENCY"; i++) {
    const cause = job.after.map((id) => getJob(s, id)).find((j) =>
      j !== null && (j.state === "failed" || j.state === "canceled")
    );
    if (!cause) break;
    job = cause;
  }
  return job;
}

/**
 * Settles dependencies whose job ended without its dependents hearing of it (a rebuild) or
 * that point at a job that no longer exists: idempotent, run at every start. Returns how many
 * were settled.
 */
export function settleDependencies(s: StoreBase): number {
  return s.db.tx(() => {
    const rows = s.db.stmt(
      "SELECT d.job_id, d.after_id, j.job_id AS found FROM job_deps d " +
        "LEFT JOIN jobs j ON j.job_id = d.after_id " +
        "WHERE j.job_id IS NULL OR j.state IN ('succeeded', 'failed', 'canceled')",
    ).all() as Row[];
    for (const r of rows) {
      const dep = r.found === null ? null : getJob(s, r.after_id as string);
      if (dep !== null) {
        afterEnd(s, dep, [r.job_id as string]);
        continue;
      }
      s.db.stmt("DELETE FROM job_deps WHERE job_id = ? AND after_id = ?").run(
        r.job_id as string,
        r.after_id as string,
      );
      const job = getJob(s, r.job_id as string);
      if (job?.state !== "queued") continue;
      const done = transition(job, {
        type: "dependency_failed",
        error: `job ${r.after_id}, which this job runs after, no longer exists (its dir ` +
          "could not be restored); it never ran (`barn retry` runs it, without waiting)",
      }, nowIso());
      writeExitFile(done.job_dir, exitFileOf(done));
      writeRow(s, done, job);
      insertEvent(s, done.job_id, done.state, done.finished_at!);
      afterEnd(s, done);
    }
    return rows.length;
  });
}
