/** The job store: node:sqlite in WAL mode, the one place with SQL, plus the job.json snapshots. */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { join } from "../platform/path.ts";
import { BarnError } from "../errors.ts";
import {
  type Job,
  JOB_FIELDS,
  type JobCounts,
  type JobEventRecord,
  type JobSpec,
  type JobState,
} from "../jobs/job.ts";
import { type JobEvent, transition } from "../jobs/transitions.ts";
import { newJobId, resolvePrefix } from "../jobs/ids.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { writeFileAtomic, writeNewPrivateFile } from "../platform/files.ts";
import { MIGRATIONS } from "./migrations.ts";

type Row = Record<string, unknown>;

export interface ListFilter {
  state?: JobState | undefined;
  tag?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
}

/** Record fields derived from BARN_HOME and the id, never stored. */
const DERIVED: readonly (keyof Job)[] = ["job_dir", "stdout_path", "stderr_path"];
/** The stored columns: every record field but the derived ones, in the record's order. */
const COLUMNS = JOB_FIELDS.filter((f) => !DERIVED.includes(f));

/** One field as SQLite stores it: argv and progress as JSON, booleans as 0/1, codes as text. */
function toColumn(j: Job, f: keyof Job): string | number | null {
  const v = j[f];
  if (f === "command" || f === "progress") return v === null ? null : JSON.stringify(v);
  if (f === "exit_code") return v === null ? null : String(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return v as string | number | null;
}

function nowIso(): string {
  return new Date().toISOString();
}

export class Store {
  readonly db: DatabaseSync;
  readonly #stmts = new Map<string, StatementSync>();

  private constructor(readonly paths: HomePaths, db: DatabaseSync) {
    this.db = db;
  }

  /** Opens (creating and migrating) barn.db under BARN_HOME. */
  static open(paths: HomePaths): Store {
    const db = openDb(paths.db);
    return new Store(paths, db);
  }

  close(): void {
    this.#stmts.clear();
    this.db.close();
  }

  #stmt(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction, so writers queue on the busy timeout instead of failing. */
  tx<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      try {
        this.db.exec("ROLLBACK");
      } catch { /* no transaction left */ }
      throw e;
    }
  }

  #fromRow(r: Row): Job {
    const id = r.job_id as string;
    const dir = this.paths.jobDir(id);
    const ec = r.exit_code as string | null;
    return {
      job_id: id,
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
      job_dir: dir,
      stdout_path: join(dir, "stdout.log"),
      stderr_path: join(dir, "stderr.log"),
      log_truncated: r.log_truncated === 1,
      key: (r.key as string | null) ?? null,
      retry_of: (r.retry_of as string | null) ?? null,
      latch: (r.latch as string | null) ?? null,
      timeout_seconds: (r.timeout_seconds as number | null) ?? null,
      stall_timeout_seconds: (r.stall_timeout_seconds as number | null) ?? null,
      verify: r.verify === 1,
      progress: r.progress ? JSON.parse(r.progress as string) : null,
    };
  }

  #toParams(j: Job): (string | number | null)[] {
    return COLUMNS.map((f) => toColumn(j, f));
  }

  #insertRow(j: Job): void {
    this.#stmt(
      `INSERT INTO jobs (${COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`,
    ).run(...this.#toParams(j));
    this.#event(j.job_id, j.state, j.created_at);
  }

  #writeRow(j: Job): void {
    const sets = COLUMNS.slice(1).map((c) => `${c} = ?`).join(", ");
    const params = this.#toParams(j);
    this.#stmt(`UPDATE jobs SET ${sets} WHERE job_id = ?`).run(...params.slice(1), j.job_id);
  }

  #event(jobId: string, state: string, at: string): void {
    this.#stmt("INSERT INTO events (job_id, state, at) VALUES (?, ?, ?)").run(jobId, state, at);
  }

  /** Writes jobs/<id>/job.json; a failure (e.g. a full disk) must not fail the DB write. */
  snapshot(job: Job): void {
    try {
      writeFileAtomic(join(job.job_dir, "job.json"), JSON.stringify(job, null, 2) + "\n");
    } catch {
      // The DB stays the authority; the next write retries the snapshot.
    }
  }

  /** A fresh record for `spec`: a new id, a private job dir, queued. */
  #newJob(spec: JobSpec, now: string): Job {
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = newJobId();
      const dir = this.paths.jobDir(id);
      try {
        Deno.mkdirSync(dir, { mode: 0o700 });
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) continue;
        throw e;
      }
      if (this.#stmt("SELECT 1 FROM jobs WHERE job_id = ?").get(id)) continue;
      const command = spec.secrets?.curl_config
        ? withCurlSecrets(dir, spec.command, spec.secrets.curl_config)
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
        job_dir: dir,
        stdout_path: join(dir, "stdout.log"),
        stderr_path: join(dir, "stderr.log"),
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
    for (const j of made) this.snapshot(j);
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
    if (opts.snapshot !== false) this.snapshot(job);
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
    for (const j of jobs) this.snapshot(j);
    return jobs;
  }

  /** How many jobs a filter matches, ignoring its limit. */
  count(filter: ListFilter = {}): number {
    const { where, params } = this.#where(filter);
    return (this.#stmt(`SELECT COUNT(*) AS n FROM jobs ${where}`).get(...params) as Row)
      .n as number;
  }

  #where(filter: ListFilter): { where: string; params: (string | number)[] } {
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
    return { where: where.length ? "WHERE " + where.join(" AND ") : "", params };
  }

  /** SQLite's plan for `list(filter)`, so tests can check the indexes are used. */
  explainList(filter: ListFilter = {}): string[] {
    const { where, params } = this.#where(filter);
    const sql =
      `EXPLAIN QUERY PLAN SELECT * FROM jobs ${where} ORDER BY created_at DESC, rowid DESC${
        filter.limit ? " LIMIT ?" : ""
      }`;
    if (filter.limit) params.push(filter.limit);
    return (this.db.prepare(sql).all(...params) as Row[]).map((r) => String(r.detail));
  }

  list(filter: ListFilter = {}): Job[] {
    const { where, params } = this.#where(filter);
    const sql = `SELECT * FROM jobs ${where} ORDER BY created_at DESC, rowid DESC${
      filter.limit ? " LIMIT ?" : ""
    }`;
    if (filter.limit) params.push(filter.limit);
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

  /** How many prepared statements are cached (a test checks it stays bounded). */
  get cachedStatements(): number {
    return this.#stmts.size;
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
    for (const j of jobs) {
      try {
        Deno.removeSync(j.job_dir, { recursive: true });
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    return jobs;
  }

  /** Puts back a record from a job.json snapshot (DB rebuild). */
  restore(job: Job): void {
    this.#insertRow(job);
  }
}

/** Writes one file into jobs/<id>/secrets/ (0700 dir, 0600 file); returns its path. */
function writeSecret(jobDir: string, name: string, text: string): string {
  const dir = join(jobDir, "secrets");
  try {
    Deno.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const path = join(dir, name);
  writeNewPrivateFile(path, text);
  return path;
}

/** Writes curl credentials to jobs/<id>/secrets/curl.conf and points curl at it with -K. */
function withCurlSecrets(jobDir: string, command: string[], config: string): string[] {
  return [command[0]!, "-K", writeSecret(jobDir, "curl.conf", config), ...command.slice(1)];
}

/** Opens the DB file with WAL, a busy timeout and migrations. */
function openDb(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
    Deno.chmodSync(path, 0o600);
  } catch { /* Windows */ }
  db.exec("PRAGMA busy_timeout = 10000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: DatabaseSync): void {
  const row = db.prepare("PRAGMA user_version").get() as Row;
  const version = row.user_version as number;
  if (version > MIGRATIONS.length) {
    throw new BarnError(
      "E_STORE",
      `barn.db has schema version ${version}, newer than this barn knows (${MIGRATIONS.length}): upgrade barn`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      // Another process may have migrated while we waited for the lock.
      const now = (db.prepare("PRAGMA user_version").get() as Row).user_version as number;
      if (now <= v) {
        db.exec(MIGRATIONS[v]!);
        db.exec(`PRAGMA user_version = ${v + 1}`);
      }
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  }
}
