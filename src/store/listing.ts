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
import { blobParts, type RecordLayout, RecordText } from "./record_text.ts";

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

/**
 * A record of a JSON listing kept with its row: `head`, then its paths (`paths[0]`, `id`,
 * `paths[1]`, `id`, `paths[2]`, `id`, `paths[3]`: this home's, UTF-8, the same for every
 * record), then `tail`. One object, refilled for each record: valid until the next.
 */
export interface StoredRecord {
  head: Uint8Array;
  id: string;
  paths: readonly Uint8Array[];
  tail: Uint8Array;
}

const EMPTY = new Uint8Array(0);
/** What a page of a JSON listing reads while most rows have a text: the text and the cursor's. */
const TEXT_COLUMNS = "listing, job_id, created_at";
/** What it reads while most rows have none: the text, then the record's columns. */
const ALL_COLUMNS = `listing, ${RECORD_COLUMNS}`;
/** The records of the rows of a page that have no stored text, by rowid. */
const BUILT_ROWS = `SELECT ${RECORD_COLUMNS}, rowid FROM jobs WHERE rowid IN ` +
  "(SELECT value FROM json_each(?))";

/**
 * `iterateRecords(s, filter, "indented")` for a JSON listing, where a row's stored text
 * (migration 7) stands in for building its record. While most rows have a text, a page reads
 * each row's text and only the rows without one (unfinished, written by an older barn, odd)
 * are read again whole and built; while most have none (a store from before the texts), a page
 * reads every column, as `iterateRecords` does, and the texts it finds. A page's reads share
 * one snapshot, ended before its first record is yielded.
 */
export function* iterateListing(
  s: StoreBase,
  filter: ListFilter,
): Generator<string | StoredRecord> {
  const text = new RecordText((id) => s.paths.jobDir(id), "indented");
  const encoder = new TextEncoder();
  const stored: StoredRecord = {
    head: EMPTY,
    id: "",
    paths: text.pathTexts().map((t) => encoder.encode(t)),
    tail: EMPTY,
  };
  let after: ListCursor | null = null;
  let texts = true;
  for (let left = filter.limit ?? Infinity; left > 0;) {
    const size = Math.min(PAGE, left);
    const { sql, params } = pageQuery(filter, after, size, texts ? TEXT_COLUMNS : ALL_COLUMNS);
    const missing: number[] = [];
    // Built rows by rowid: read again (texts), or the page's own (all columns, after the text).
    const built = new Map<number, unknown[]>();
    // Both reads on one snapshot: a row another process changes between them (a job the keeper
    // ends) would be listed as it is now, no longer as the page's filter found it.
    const { rows, parts } = s.db.read(() => {
      const rows = s.db.arrays(sql, params);
      const parts = rows.map((r) => blobParts(r[0], r[1] as string));
      for (let i = 0; i < rows.length; i++) if (parts[i] === null) missing.push(i);
      if (texts && missing.length) {
        const ids = JSON.stringify(missing.map((i) => rows[i]![3]));
        for (const r of s.db.arrays(BUILT_ROWS, [ids])) built.set(r[COLUMNS.length] as number, r);
      } else if (!texts) {
        for (const i of missing) built.set(i, rows[i]!.slice(1));
      }
      return { rows, parts };
    });
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const p = parts[i];
      if (p) {
        [stored.head, stored.tail] = p;
        stored.id = row[1] as string;
        yield stored;
        continue;
      }
      const r = built.get(texts ? row[3] as number : i);
      if (r) yield text.of(r) ?? viaRecord(s, r, "indented");
    }
    if (rows.length < size) return;
    left -= size;
    const last = rows[size - 1]!;
    after = texts
      ? { created_at: last[2] as string, rowid: last[3] as number }
      : { created_at: last[1 + CREATED_AT] as string, rowid: last[1 + COLUMNS.length] as number };
    texts = missing.length * 2 < rows.length;
  }
}

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
