/** A job's row and its events: read, resolve, insert and write one record; the base every store piece works on. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import { isFinished, type Job } from "../jobs/job.ts";
import { checkIdPrefix, resolvePrefix } from "../jobs/ids.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import type { Db, Row } from "./db.ts";
import type { ExitFile } from "./job_dir.ts";
import { listingBlob } from "./record_text.ts";
import { fromRow, QUOTED_COLUMNS, ROW_COLUMNS, toParams } from "./rows.ts";

/** What every store piece works on: the connection (store.ts reopens it when replaced) and the home. */
export interface StoreBase {
  readonly db: Db;
  readonly paths: HomePaths;
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** The exit.json of an ending that had no process to report it (canceled while queued, interrupted). */
export function exitFileOf(job: Job): ExitFile {
  return {
    job_id: job.job_id,
    finished_at: job.finished_at ?? nowIso(),
    started_at: job.started_at,
    pid: job.pid,
    process_exit_code: job.process_exit_code,
    signal: job.signal,
    log_truncated: job.log_truncated,
    final: { state: job.state, exit_code: job.exit_code, error: job.error },
  };
}

export function jobOfRow(s: StoreBase, r: Row): Job {
  return fromRow(r, s.paths.jobDir(r.job_id as string));
}

export function getJob(s: StoreBase, id: string): Job | null {
  const row = s.db.stmt(`SELECT ${ROW_COLUMNS} FROM jobs WHERE job_id = ?`).get(id) as
    | Row
    | undefined;
  return row ? jobOfRow(s, row) : null;
}

/**
 * A finished record's listing text, kept with its row (`listingBlob`): a finished record does
 * not change, so a JSON listing copies these bytes instead of building them.
 */
function listingOf(j: Job, params: readonly (string | number | null)[]): Uint8Array | null {
  return isFinished(j.state) ? listingBlob(params) : null;
}

/** A new row (with its listing text when finished: a rebuild), its first event and its unmet dependencies. */
export function insertRow(s: StoreBase, j: Job): void {
  const params = toParams(j);
  const listing = listingOf(j, params);
  const names = listing ? [...QUOTED_COLUMNS, "listing"] : QUOTED_COLUMNS;
  s.db.stmt(
    `INSERT INTO jobs (${names.join(",")}) VALUES (${names.map(() => "?").join(",")})`,
  ).run(...params, ...(listing ? [listing] : []));
  insertEvent(s, j.job_id, j.state, j.created_at);
  const edge = s.db.stmt("INSERT OR IGNORE INTO job_deps (job_id, after_id) VALUES (?, ?)");
  for (const a of j.waiting_for) edge.run(j.job_id, a);
}

/**
 * Writes a record over its row, given the record as it was: only the columns that changed are
 * set: SQLite rewrites every index on a column it sets, changed or not. A finished record's
 * listing text is set with it; any other change leaves the row's text NULL (migration 7's
 * trigger clears a text an UPDATE does not replace).
 */
export function writeRow(s: StoreBase, j: Job, before: Job): void {
  const params = toParams(j);
  const old = toParams(before);
  const sets: string[] = [];
  const values: (string | number | null | Uint8Array)[] = [];
  for (let i = 1; i < params.length; i++) {
    if (old[i] === params[i]) continue;
    sets.push(`${QUOTED_COLUMNS[i]} = ?`);
    values.push(params[i]!);
  }
  if (sets.length === 0) return;
  const listing = listingOf(j, params);
  if (listing) {
    sets.push("listing = ?");
    values.push(listing);
  }
  s.db.stmt(`UPDATE jobs SET ${sets.join(", ")} WHERE job_id = ?`).run(...values, j.job_id);
}

/** One state change, as `listen` and barn-fleet read them. */
export function insertEvent(s: StoreBase, jobId: string, state: string, at: string): void {
  s.db.stmt("INSERT INTO events (job_id, state, at) VALUES (?, ?, ?)").run(jobId, state, at);
}

/**
 * Resolves a full id, a prefix of 4+ characters (through the primary-key index) or `@NAME`:
 * the unfinished job of that name, else the newest finished one.
 */
export function resolveJob(s: StoreBase, prefix: string): Job {
  if (prefix.startsWith("@")) return byName(s, prefix.slice(1));
  const p = checkIdPrefix(prefix);
  const rows = s.db.stmt(
    "SELECT job_id FROM jobs WHERE job_id >= ? AND job_id < ? ORDER BY job_id LIMIT 11",
  ).all(p, p + "\uffff") as Row[];
  const id = resolvePrefix(prefix, rows.map((r) => r.job_id as string));
  return getJob(s, id)!;
}

function byName(s: StoreBase, name: string): Job {
  const row = s.db.stmt(
    `SELECT ${ROW_COLUMNS} FROM jobs WHERE name = ? ORDER BY state IN ('queued', 'running') DESC, ` +
      "created_at DESC, rowid DESC LIMIT 1",
  ).get(name) as Row | undefined;
  if (!row) {
    throw new BarnError(
      "E_NOT_FOUND",
      `no job is named '${excerpt(name)}': list jobs with \`barn status\``,
    );
  }
  return jobOfRow(s, row);
}
