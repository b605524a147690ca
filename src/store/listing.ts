/** What readers list: jobs by filter (whole, or streamed a page at a time as JSON text) and state changes since a seq. */

import type { Job, JobEventRecord, JobState } from "../jobs/job.ts";
import type { Row } from "./db.ts";
import { jobOfRow, type StoreBase } from "./job_rows.ts";
import {
  COLUMNS,
  type ListCursor,
  type ListFilter,
  listQuery,
  pageQuery,
  QUOTED_COLUMNS,
  whereOf,
} from "./rows.ts";
import { type RecordLayout, RecordText } from "./record_text.ts";

/** How many jobs a filter matches, ignoring its limit. */
export function countJobs(s: StoreBase, filter: ListFilter = {}): number {
  const { where, params } = whereOf(filter);
  return (s.db.stmt(`SELECT COUNT(*) AS n FROM jobs ${where}`).get(...params) as Row)
    .n as number;
}

export function listJobs(s: StoreBase, filter: ListFilter = {}): Job[] {
  const { sql, params } = listQuery(filter);
  return (s.db.stmt(sql).all(...params) as Row[]).map((r) => jobOfRow(s, r));
}

/** Rows per page: no read stays open longer than one page takes. */
const PAGE = 256;
/** The stored columns in COLUMNS order, then the rowid: what RecordText reads, as arrays. */
const RECORD_COLUMNS = QUOTED_COLUMNS.join(", ");

/**
 * The listing's records as JSON text (`JSON.stringify` of `listJobs`'s, or with `indented` each
 * as an element of `JSON.stringify(jobs, null, 2)`), newest first, read a page at a time: no
 * read stays open between pages, so the caller may await between records (an open read would
 * pin this connection's snapshot, and its next write would fail as locked).
 */
export function* iterateRecords(
  s: StoreBase,
  filter: ListFilter,
  layout: RecordLayout,
): Generator<string> {
  const text = new RecordText((id) => s.paths.jobDir(id), layout);
  let after: ListCursor | null = null;
  for (let left = filter.limit ?? Infinity; left > 0;) {
    const size = Math.min(PAGE, left);
    const { sql, params } = pageQuery(filter, after, size, RECORD_COLUMNS);
    // Rows as arrays: a listing's rows are many, and objects of thirty properties cost.
    const rows = s.db.arrays(sql, params);
    for (const r of rows) yield text.of(r) ?? viaRecord(s, r, layout);
    if (rows.length < size) return;
    left -= size;
    const last = rows[size - 1]!;
    after = { created_at: last[CREATED_AT] as string, rowid: last[COLUMNS.length] as number };
  }
}

const CREATED_AT = COLUMNS.indexOf("created_at");

/** A record through fromRow and JSON.stringify: the rows RecordText leaves, and its reference. */
function viaRecord(s: StoreBase, values: unknown[], layout: RecordLayout): string {
  const job = jobOfRow(s, Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])));
  return layout === "compact" ? JSON.stringify(job) : JSON.stringify([job], null, 2).slice(2, -2);
}

/** State changes after `seq`, oldest first, optionally for one tag. */
export function eventsSince(
  s: StoreBase,
  seq: number,
  tag: string | undefined,
  limit = 1000,
): JobEventRecord[] {
  const sql =
    "SELECT e.seq, e.job_id, e.state, e.at, j.tag FROM events e LEFT JOIN jobs j ON j.job_id = e.job_id " +
    `WHERE e.seq > ?${tag !== undefined ? " AND j.tag = ?" : ""} ORDER BY e.seq LIMIT ?`;
  const params: (string | number)[] = tag !== undefined ? [seq, tag, limit] : [seq, limit];
  return (s.db.stmt(sql).all(...params) as Row[]).map((r) => ({
    seq: r.seq as number,
    job_id: r.job_id as string,
    state: r.state as JobState,
    at: r.at as string,
    tag: (r.tag as string | null) ?? null,
  }));
}

export function lastEventSeq(s: StoreBase): number {
  return (s.db.stmt("SELECT COALESCE(MAX(seq), 0) AS n FROM events").get() as Row).n as number;
}

/** This DB's epoch (migration 3): a new DB file, rebuilt or fresh, has a new one, so `seq` restarts under it. */
export function epoch(s: StoreBase): string {
  return (s.db.stmt("SELECT value FROM meta WHERE key = 'epoch'").get() as Row).value as string;
}
