/** Writes to a stored job: an event through its transition (with its end's exit.json), a latch release, progress, heartbeats. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import { isFinished, type Job } from "../jobs/job.ts";
import { type JobEvent, transition } from "../jobs/transitions.ts";
import type { Row } from "./db.ts";
import { writeExitFile, writeSnapshot } from "./job_dir.ts";
import { afterEnd } from "./job_deps.ts";
import { exitFileOf, insertEvent, jobOfRow, nowIso, type StoreBase, writeRow } from "./job_rows.ts";
import { ROW_COLUMNS } from "./rows.ts";

/**
 * Applies one event in a transaction and returns the new record. An event that ends the job
 * writes its exit.json first, inside the transaction, unless its supervisor already wrote the
 * process's own (`exitWritten`): so every finished job's end survives a DB rebuild.
 */
export function applyEvent(
  s: StoreBase,
  id: string,
  event: JobEvent,
  opts: { exitWritten?: boolean } = {},
): Job {
  return s.db.tx(() => {
    const row = s.db.stmt(`SELECT ${ROW_COLUMNS} FROM jobs WHERE job_id = ?`).get(id) as
      | Row
      | undefined;
    if (!row) {
      throw new BarnError("E_NOT_FOUND", `no job ${excerpt(id)}: list jobs with \`barn status\``);
    }
    const before = jobOfRow(s, row);
    const now = nowIso();
    const after = transition(before, event, now);
    if (isFinished(after.state) && !opts.exitWritten) {
      writeExitFile(after.job_dir, exitFileOf(after));
    }
    writeRow(s, after, before);
    if (after.state !== before.state) insertEvent(s, id, after.state, now);
    // Its dependents learn of the end in the same transaction, so no end is ever lost to them.
    if (isFinished(after.state) && !isFinished(before.state)) afterEnd(s, after);
    return after;
  });
}

/**
 * Records a running job's pid right after its spawn in one guarded statement, with no read and no
 * transaction of its own: the start committed everything else, and a pid changes no state, index
 * or event. E_STATE when the job is not running.
 */
export function setPid(s: StoreBase, id: string, pid: number): void {
  const done = s.db.stmt(
    "UPDATE jobs SET pid = ?, heartbeat = ? WHERE job_id = ? AND state = 'running'",
  ).run(pid, nowIso(), id);
  if (Number(done.changes) === 0) {
    throw new BarnError("E_STATE", `job ${excerpt(id)} is not running: its pid was not recorded`);
  }
}

/** Stores progress numbers without a state change (and without a snapshot, to keep it cheap). */
export function setProgress(
  s: StoreBase,
  id: string,
  progress: Job["progress"],
  truncated: boolean,
): void {
  s.db.stmt(
    "UPDATE jobs SET progress = ?, heartbeat = ?, log_truncated = MAX(log_truncated, ?) WHERE job_id = ? AND state = 'running'",
  ).run(progress ? JSON.stringify(progress) : null, nowIso(), truncated ? 1 : 0, id);
}

/** Heart-beats every running job of one supervisor kind in one statement. */
export function heartbeat(s: StoreBase, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const now = nowIso();
  s.db.tx(() => {
    const st = s.db.stmt("UPDATE jobs SET heartbeat = ? WHERE job_id = ? AND state = 'running'");
    for (const id of ids) st.run(now, id);
  });
}

/** Releases every queued job held on `latch`; returns them. */
export function release(s: StoreBase, latch: string): Job[] {
  const now = nowIso();
  const jobs = s.db.tx(() => {
    const rows = s.db.stmt(
      `SELECT ${ROW_COLUMNS} FROM jobs WHERE latch = ? AND state = 'queued' ORDER BY created_at, rowid`,
    )
      .all(latch) as Row[];
    return rows.map((r) => {
      const before = jobOfRow(s, r);
      const after = transition(before, { type: "release" }, now);
      writeRow(s, after, before);
      return after;
    });
  });
  // A release is rare and a rebuild must know it: refresh the snapshots.
  for (const j of jobs) writeSnapshot(j);
  return jobs;
}
