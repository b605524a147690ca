/** How a job record maps to a row of the jobs table, and the listing's SQL (pure). */

import { type Job, JOB_FIELDS, type JobState } from "../jobs/job.ts";
import { jobDirFields } from "./job_dir.ts";
import type { Row } from "./db.ts";
import type { MetaFilter } from "../jobs/meta.ts";
import { parseJson } from "../json.ts";

export interface ListFilter {
  state?: JobState | undefined;
  tag?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  /** Jobs whose meta has each key with the value (a string, or a number's or boolean's JSON text). */
  meta?: readonly MetaFilter[] | undefined;
  /** Oldest first (the queue's order, for `barn top`); newest first otherwise. */
  oldest?: boolean | undefined;
}

/** Record fields derived from BARN_HOME and the id, never stored. */
const DERIVED: readonly (keyof Job)[] = ["job_dir", "stdout_path", "stderr_path"];
/** The stored columns: every record field but the derived ones, in the record's order. */
export const COLUMNS = JOB_FIELDS.filter((f) => !DERIVED.includes(f));
/** The same, quoted for SQL ("group" and "after" are SQL words). */
export const QUOTED_COLUMNS = COLUMNS.map((c) => `"${c}"`);
/**
 * What every read of a record selects: its columns, never `*`, which would read the stored
 * listing text (`listing`) too, a kilobyte per row that only a JSON listing wants.
 */
export const ROW_COLUMNS = QUOTED_COLUMNS.join(", ");

/** Columns of INTEGER or REAL affinity (migrations.ts); every other column is TEXT. */
const NUMERIC: ReadonlySet<string> = new Set([
  "process_exit_code",
  "pid",
  "supervisor_pid",
  "log_truncated",
  "verify",
  "timeout_seconds",
  "stall_timeout_seconds",
]);

/**
 * Whether SQLite gives these values (COLUMNS order; any after them are not looked at) back as they were written, so text built
 * from them is the text built from the row read back. It would not: a string with a NUL (read
 * back cut there) or a lone surrogate (U+FFFD), a string in a numeric column (may turn into a
 * number) or a number in a TEXT one (into text), an integer past 2^53.
 */
export function keptAsIs(values: readonly unknown[]): boolean {
  for (let i = 0; i < COLUMNS.length; i++) {
    const v = values[i];
    if (v === null) continue;
    if (typeof v === "string") {
      if (NUMERIC.has(COLUMNS[i]!) || !v.isWellFormed() || v.includes("\0")) return false;
    } else if (typeof v === "number") {
      if (!NUMERIC.has(COLUMNS[i]!) || (Number.isInteger(v) && !Number.isSafeInteger(v))) {
        return false;
      }
    } else return false;
  }
  return true;
}

/** Fields stored as JSON text; an empty list is stored as NULL (the queue looks for NULL). */
const JSON_FIELDS: readonly (keyof Job)[] = ["command", "progress", "meta"];
const LIST_FIELDS: readonly (keyof Job)[] = ["after", "waiting_for", "notify_urls"];

/** One field as SQLite stores it: argv, lists, meta and progress as JSON, booleans as 0/1, codes as text. */
function toColumn(j: Job, f: keyof Job): string | number | null {
  const v = j[f];
  if (LIST_FIELDS.includes(f)) return (v as string[]).length ? JSON.stringify(v) : null;
  if (JSON_FIELDS.includes(f)) return v === null ? null : JSON.stringify(v);
  if (f === "exit_code") return v === null ? null : String(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return v as string | number | null;
}

/** The row's values in COLUMNS order. */
export function toParams(j: Job): (string | number | null)[] {
  return COLUMNS.map((f) => toColumn(j, f));
}

export function fromRow(r: Row, jobDir: string): Job {
  const ec = r.exit_code as string | null;
  return {
    job_id: r.job_id as string,
    state: r.state as JobState,
    tag: (r.tag as string | null) ?? null,
    command: JSON.parse(r.command as string),
    cwd: r.cwd as string,
    created_at: r.created_at as string,
    started_at: (r.started_at as string | null) ?? null,
    finished_at: (r.finished_at as string | null) ?? null,
    exit_code: ec === null ? null : /^-?\d+$/.test(ec) ? Number(ec) : ec,
    process_exit_code: (r.process_exit_code as number | null) ?? null,
    signal: (r.signal as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    pid: (r.pid as number | null) ?? null,
    heartbeat: (r.heartbeat as string | null) ?? null,
    supervisor: (r.supervisor as Job["supervisor"]) ?? null,
    supervisor_pid: (r.supervisor_pid as number | null) ?? null,
    ...jobDirFields(jobDir),
    log_truncated: r.log_truncated === 1,
    key: (r.key as string | null) ?? null,
    retry_of: (r.retry_of as string | null) ?? null,
    latch: (r.latch as string | null) ?? null,
    name: (r.name as string | null) ?? null,
    group: r.group as string,
    after: r.after ? JSON.parse(r.after as string) : [],
    waiting_for: r.waiting_for ? JSON.parse(r.waiting_for as string) : [],
    timeout_seconds: (r.timeout_seconds as number | null) ?? null,
    stall_timeout_seconds: (r.stall_timeout_seconds as number | null) ?? null,
    verify: r.verify === 1,
    meta: r.meta ? parseJson(r.meta as string) as Job["meta"] : null,
    progress: r.progress ? JSON.parse(r.progress as string) : null,
    notify_urls: r.notify_urls ? JSON.parse(r.notify_urls as string) : [],
  };
}

/** The WHERE clause of a filter (its limit aside), each part served by an index. */
export function whereOf(filter: ListFilter): { where: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.state) {
    where.push("state = ?");
    params.push(filter.state);
  }
  if (filter.tag !== undefined) {
    where.push("tag = ?");
    params.push(filter.tag);
  }
  if (filter.since) {
    where.push("created_at >= ?");
    params.push(filter.since);
  }
  for (const m of filter.meta ?? []) {
    // A string matches its text; a number or boolean matches its JSON spelling (5, 2.5, true).
    const path = `$."${m.key}"`; // checkMetaKey keeps '"' out of keys
    where.push(
      "(CASE json_type(meta, ?) WHEN 'text' THEN json_extract(meta, ?) " +
        "WHEN 'integer' THEN meta -> ? WHEN 'real' THEN meta -> ? " +
        "WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END) = ?",
    );
    params.push(path, path, path, path, m.value);
  }
  return { where: where.length ? "WHERE " + where.join(" AND ") : "", params };
}

/** The listing query, newest first: its SQL and parameters. */
export function listQuery(filter: ListFilter): { sql: string; params: (string | number)[] } {
  const { where, params } = whereOf(filter);
  const sql = `SELECT ${ROW_COLUMNS} FROM jobs ${where} ORDER BY created_at DESC, rowid DESC${
    filter.limit ? " LIMIT ?" : ""
  }`;
  if (filter.limit) params.push(filter.limit);
  return { sql, params };
}

/** Where a listing resumes: just after this row, in its order. */
export interface ListCursor {
  created_at: string;
  rowid: number;
}

/**
 * One page of the listing, newest first (oldest first with `filter.oldest`), after `after` (from
 * the first when null): `columns` of each row (a record's, by default), then its rowid as
 * `_rowid`, the cursor's tiebreak among jobs submitted together.
 */
export function pageQuery(
  filter: ListFilter,
  after: ListCursor | null,
  size: number,
  columns = ROW_COLUMNS,
): { sql: string; params: (string | number)[] } {
  const { where, params } = whereOf(filter);
  let clause = where;
  if (after) {
    clause = `${where ? where + " AND" : "WHERE"} (created_at, rowid) ${
      filter.oldest ? ">" : "<"
    } (?, ?)`;
    params.push(after.created_at, after.rowid);
  }
  params.push(size);
  const dir = filter.oldest ? "ASC" : "DESC";
  return {
    sql:
      `SELECT ${columns}, rowid AS _rowid FROM jobs ${clause} ORDER BY created_at ${dir}, rowid ${dir} LIMIT ?`,
    params,
  };
}
