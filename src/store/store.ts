/** The job store: every SQL statement on jobs and their events, over barn.db (db.ts); job dirs are job_dir.ts's. */

import { BarnError } from "../errors.ts";
import type { Job, JobCounts, JobEventRecord, JobSpec, JobState } from "../jobs/job.ts";
import { type JobEvent, transition } from "../jobs/transitions.ts";
import { newJobId, resolvePrefix } from "../jobs/ids.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { withCurlConfig } from "../media/curl_secrets.ts";
import { Db, type Row } from "./db.ts";
import { createJobDir, jobDirFields, removeJobDir, writeSecret, writeSnapshot } from "./job_dir.ts";
import { COLUMNS, fromRow, type ListFilter, listQuery, toParams, whereOf } from "./rows.ts";
import { DirTemplate, type ListCursor, pageQuery, recordJson } from "./rows.ts";

export type { ListFilter };

function nowIso(): string {
  return new Date().toISOString();
}

export class Store {
  private constructor(readonly paths: HomePaths, readonly db: Db) {}

  /** Opens (creating and migrating) barn.db under BARN_HOME. */
  static open(paths: HomePaths): Store {
    return new Store(paths, Db.open(paths.db));
  }

  close(): void {
    this.db.close();
  }

  #stmt(sql: string) {
    return this.db.stmt(sql);
  }

  /** Runs `fn` in one write transaction. */
  tx<T>(fn: () => T): T {
    return this.db.tx(fn);
  }

  #fromRow(r: Row): Job {
    return fromRow(r, this.paths.jobDir(r.job_id as string));
  }

  #insertRow(j: Job): void {
    this.#stmt(
      `INSERT INTO jobs (${COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`,
    ).run(...toParams(j));
    this.#event(j.job_id, j.state, j.created_at);
  }

  #writeRow(j: Job): void {
    const sets = COLUMNS.slice(1).map((c) => `${c} = ?`).join(", ");
    const params = toParams(j);
    this.#stmt(`UPDATE jobs SET ${sets} WHERE job_id = ?`).run(...params.slice(1), j.job_id);
  }

  #event(jobId: string, state: string, at: string): void {
    this.#stmt("INSERT INTO events (job_id, state, at) VALUES (?, ?, ?)").run(jobId, state, at);
  }

  /** A fresh record for `spec`: a new id, a private job dir, queued. */
  #newJob(spec: JobSpec, now: string): Job {
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = newJobId();
      const dir = this.paths.jobDir(id);
      if (!createJobDir(dir)) continue;
      if (this.#stmt("SELECT 1 FROM jobs WHERE job_id = ?").get(id)) continue;
      const command = spec.secrets?.curl_config
        ? withCurlConfig(spec.command, writeSecret(dir, "curl.conf", spec.secrets.curl_config))
        : spec.command;
      if (spec.secrets?.dav_auth) {
        writeSecret(dir, "dav.json", JSON.stringify(spec.secrets.dav_auth));
      }
      return {
        job_id: id,
        state: "queued",
        tag: spec.tag ?? null,
        command,
        cwd: spec.cwd,
        created_at: now,
        started_at: null,
        finished_at: null,
        exit_code: null,
        process_exit_code: null,
        signal: null,
        error: null,
        pid: null,
        heartbeat: null,
        supervisor: null,
        ...jobDirFields(dir),
        log_truncated: false,
        key: spec.key ?? null,
        retry_of: spec.retry_of ?? null,
        latch: spec.latch ?? null,
        timeout_seconds: spec.timeout_seconds ?? null,
        stall_timeout_seconds: spec.stall_timeout_seconds ?? null,
        verify: spec.verify ?? false,
        progress: null,
      };
    }
    throw new BarnError(
      "E_INTERNAL",
      "could not find an unused job id after 8 tries; retry the submission",
    );
  }

  /**
   * Stores new jobs in one transaction. A spec whose `key` already exists returns
   * the existing job with `duplicate: true` instead of a new one.
   */
  insert(specs: readonly JobSpec[]): { job: Job; duplicate: boolean }[] {
    const now = nowIso();
    const made: Job[] = [];
    const out = this.tx(() =>
      specs.map((spec) => {
        if (spec.key) {
          const row = this.#stmt("SELECT * FROM jobs WHERE key = ?").get(spec.key) as
            | Row
            | undefined;
          if (row) return { job: this.#fromRow(row), duplicate: true };
        }
        const job = this.#newJob(spec, now);
        this.#insertRow(job);
        made.push(job);
        return { job, duplicate: false };
      })
    );
    for (const j of made) writeSnapshot(j);
    return out;
  }

  get(id: string): Job | null {
    const row = this.#stmt("SELECT * FROM jobs WHERE job_id = ?").get(id) as Row | undefined;
    return row ? this.#fromRow(row) : null;
  }

  /** Resolves a full id or a prefix of 4+ characters, through the primary-key index. */
  resolve(prefix: string): Job {
    const p = prefix.toLowerCase();
    const rows = this.#stmt(
      "SELECT job_id FROM jobs WHERE job_id >= ? AND job_id < ? ORDER BY job_id LIMIT 11",
    ).all(p, p + "\uffff") as Row[];
    const id = resolvePrefix(prefix, rows.map((r) => r.job_id as string));
    return this.get(id)!;
  }

  /** Applies one event in a transaction; returns the new record (and refreshes job.json unless told not to). */
  apply(id: string, event: JobEvent, opts: { snapshot?: boolean } = {}): Job {
    const job = this.tx(() => {
      const row = this.#stmt("SELECT * FROM jobs WHERE job_id = ?").get(id) as Row | undefined;
      if (!row) throw new BarnError("E_NOT_FOUND", `no job ${id}: list jobs with \`barn status\``);
      const before = this.#fromRow(row);
      const now = nowIso();
      const after = transition(before, event, now);
      this.#writeRow(after);
      if (after.state !== before.state) this.#event(id, after.state, now);
      return after;
    });
    if (opts.snapshot !== false) writeSnapshot(job);
    return job;
  }

  /** Stores progress numbers without a state change (and without a snapshot, to keep it cheap). */
  setProgress(id: string, progress: Job["progress"], truncated: boolean): void {
    this.#stmt(
      "UPDATE jobs SET progress = ?, heartbeat = ?, log_truncated = MAX(log_truncated, ?) WHERE job_id = ? AND state = 'running'",
    ).run(progress ? JSON.stringify(progress) : null, nowIso(), truncated ? 1 : 0, id);
  }

  /** Heart-beats every running job of one supervisor kind in one statement. */
  heartbeat(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const now = nowIso();
    this.tx(() => {
      const s = this.#stmt("UPDATE jobs SET heartbeat = ? WHERE job_id = ? AND state = 'running'");
      for (const id of ids) s.run(now, id);
    });
  }

  /** State changes after `seq`, oldest first, optionally for one tag. */
  eventsSince(seq: number, tag: string | undefined, limit = 1000): JobEventRecord[] {
    const sql =
      "SELECT e.seq, e.job_id, e.state, e.at, j.tag FROM events e LEFT JOIN jobs j ON j.job_id = e.job_id " +
      `WHERE e.seq > ?${tag !== undefined ? " AND j.tag = ?" : ""} ORDER BY e.seq LIMIT ?`;
    const params: (string | number)[] = tag !== undefined ? [seq, tag, limit] : [seq, limit];
    return (this.#stmt(sql).all(...params) as Row[]).map((r) => ({
      seq: r.seq as number,
      job_id: r.job_id as string,
      state: r.state as JobState,
      at: r.at as string,
      tag: (r.tag as string | null) ?? null,
    }));
  }

  lastEventSeq(): number {
    return (this.#stmt("SELECT COALESCE(MAX(seq), 0) AS n FROM events").get() as Row).n as number;
  }

  /** Releases every queued job held on `latch`; returns them. */
  release(latch: string): Job[] {
    const now = nowIso();
    const jobs = this.tx(() => {
      const rows = this.#stmt(
        "SELECT * FROM jobs WHERE latch = ? AND state = 'queued' ORDER BY created_at, rowid",
      )
        .all(latch) as Row[];
      return rows.map((r) => {
        const after = transition(this.#fromRow(r), { type: "release" }, now);
        this.#writeRow(after);
        return after;
      });
    });
    for (const j of jobs) writeSnapshot(j);
    return jobs;
  }

  /** How many jobs a filter matches, ignoring its limit. */
  count(filter: ListFilter = {}): number {
    const { where, params } = whereOf(filter);
    return (this.#stmt(`SELECT COUNT(*) AS n FROM jobs ${where}`).get(...params) as Row)
      .n as number;
  }

  list(filter: ListFilter = {}): Job[] {
    const { sql, params } = listQuery(filter);
    return (this.#stmt(sql).all(...params) as Row[]).map((r) => this.#fromRow(r));
  }

  /** Ids of the oldest queued, unheld jobs: the FIFO order of the queue. */
  nextQueued(limit: number): string[] {
    return (this.#stmt(
      "SELECT job_id FROM jobs WHERE state = 'queued' AND latch IS NULL ORDER BY created_at, rowid LIMIT ?",
    ).all(limit) as Row[]).map((r) => r.job_id as string);
  }

  /**
   * How many of `ids` are still queued or running: one query per 500 ids, always with 500
   * placeholders (padded with "", which no job has), so one prepared statement serves every
   * call instead of one cached statement per list length.
   */
  unfinishedCount(ids: readonly string[]): number {
    const CHUNK = 500;
    const stmt = this.#stmt(
      `SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') AND job_id IN (${
        Array(CHUNK).fill("?").join(",")
      })`,
    );
    let n = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      while (part.length < CHUNK) part.push("");
      n += (stmt.get(...part) as Row).n as number;
    }
    return n;
  }

  runningCount(): number {
    return (this.#stmt("SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'").get() as Row)
      .n as number;
  }

  counts(): JobCounts {
    const c: JobCounts = { queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
    for (
      const r of this.#stmt("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as Row[]
    ) {
      c[r.state as JobState] = r.n as number;
    }
    return c;
  }

  /** Removes finished jobs: succeeded/canceled always, failed only when finished before `failedBefore`. */
  clean(failedBefore: string): Job[] {
    const rows = this.#stmt(
      "SELECT * FROM jobs WHERE state IN ('succeeded', 'canceled') OR (state = 'failed' AND finished_at < ?) ORDER BY created_at",
    ).all(failedBefore) as Row[];
    const jobs = rows.map((r) => this.#fromRow(r));
    this.tx(() => {
      const del = this.#stmt("DELETE FROM jobs WHERE job_id = ?");
      for (const j of jobs) del.run(j.job_id);
    });
    for (const j of jobs) removeJobDir(j.job_dir);
    return jobs;
  }

  /** Puts back a record from a job.json snapshot (DB rebuild). */
  restore(job: Job): void {
    this.#insertRow(job);
  }

  /**
   * The listing as JSON records (`JSON.stringify` of `list`'s), newest first, read a page at a
   * time: no read stays open between pages, so the caller may await between records (an open
   * read would pin this connection's snapshot, and its next write would fail as locked).
   */
  *iterateJson(filter: ListFilter): Generator<string> {
    const PAGE = 128;
    const jobDir = (id: string) => this.paths.jobDir(id);
    const dirs = new DirTemplate(jobDir);
    let after: ListCursor | null = null;
    for (let left = filter.limit ?? Infinity; left > 0;) {
      const size = Math.min(PAGE, left);
      const { sql, params } = pageQuery(filter, after, size);
      const rows = this.#stmt(sql).all(...params) as Row[];
      for (const r of rows) yield recordJson(r, jobDir, dirs);
      if (rows.length < size) return;
      left -= size;
      const last = rows[size - 1]!;
      after = { created_at: last.created_at as string, rowid: last._rowid as number };
    }
  }
}
