/** The job store: every SQL statement on jobs and their events, over barn.db (db.ts); job dirs are job_dir.ts's. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import {
  isFinished,
  type Job,
  type JobCounts,
  type JobEventRecord,
  type JobSpec,
  type JobState,
} from "../jobs/job.ts";
import { type JobEvent, transition } from "../jobs/transitions.ts";
import { newJobId, resolvePrefix } from "../jobs/ids.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { withCurlConfigs } from "../media/curl_secrets.ts";
import {
  deliveryId,
  type Notification,
  notificationBody,
  type NotificationState,
} from "../notify/notification.ts";
import { Db, type DbSettings, DEFAULT_BUSY_TIMEOUT_MS, type Row } from "./db.ts";
import {
  commitSnapshot,
  createJobDir,
  type ExitFile,
  jobDirFields,
  readSnapshot,
  removeJobDir,
  writeExitFile,
  writePendingSnapshot,
  writeSecret,
  writeSnapshot,
} from "./job_dir.ts";
import { COLUMNS, fromRow, type ListFilter, listQuery, toParams, whereOf } from "./rows.ts";

export type { ListFilter };

function nowIso(): string {
  return new Date().toISOString();
}

/**
 * New jobs are committed with synchronous=FULL, so an id once printed survives power loss too
 * (docs/reliability.md has the cost, measured in bench/); state changes after that use NORMAL.
 */
export const DURABLE_SUBMIT = true;

/** The exit.json of an ending that had no process to report it (canceled while queued, interrupted). */
function exitFileOf(job: Job): ExitFile {
  return {
    job_id: job.job_id,
    finished_at: job.finished_at ?? nowIso(),
    process_exit_code: job.process_exit_code,
    signal: job.signal,
    log_truncated: job.log_truncated,
    final: { state: job.state, exit_code: job.exit_code, error: job.error },
  };
}

export class Store {
  #db: Db;

  private constructor(readonly paths: HomePaths, db: Db) {
    this.#db = db;
  }

  /** Opens (creating and migrating) barn.db under BARN_HOME. */
  static open(paths: HomePaths, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Store {
    return new Store(paths, Db.open(paths.db, { busyTimeoutMs }));
  }

  /** Opens an existing barn.db for reading only (no create, no migration); null when there is none. */
  static openReadOnly(paths: HomePaths, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Store | null {
    const db = Db.openReadOnly(paths.db, { busyTimeoutMs });
    return db === null ? null : new Store(paths, db);
  }

  /** The connection; reopened when barn.db was replaced under this process (a rebuild moved it aside). */
  get db(): Db {
    if (this.#db.replaced()) {
      try {
        if (this.#db.readOnly) throw new Error("read-only: never reopened, which could create it");
        Deno.statSync(this.paths.db);
      } catch {
        throw new BarnError(
          "E_HOME_CHANGED",
          `${this.paths.db} is gone: the home was deleted or replaced under this barn process`,
        );
      }
      const opts = this.#db.opts;
      try {
        this.#db.close();
      } catch { /* already closed */ }
      this.#db = Db.open(this.paths.db, opts);
    }
    return this.#db;
  }

  close(): void {
    this.#db.close();
  }

  settings(): DbSettings {
    return this.db.settings(DURABLE_SUBMIT);
  }

  #stmt(sql: string) {
    return this.db.stmt(sql);
  }

  /** Runs `fn` in one write transaction. */
  tx<T>(fn: () => T, opts: { durable?: boolean } = {}): T {
    return this.db.tx(fn, opts);
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
      const curl = spec.secrets?.curl_configs ?? [];
      const command = withCurlConfigs(
        spec.command,
        curl,
        curl.map((c, i) => writeSecret(dir, `curl-${i + 1}.conf`, c.text)),
      );
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
        supervisor_pid: null,
        ...jobDirFields(dir),
        log_truncated: false,
        key: spec.key ?? null,
        retry_of: spec.retry_of ?? null,
        latch: spec.latch ?? null,
        timeout_seconds: spec.timeout_seconds ?? null,
        stall_timeout_seconds: spec.stall_timeout_seconds ?? null,
        verify: spec.verify ?? false,
        progress: null,
        notify_urls: spec.notify_urls ?? [],
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
    let out: { job: Job; duplicate: boolean }[];
    try {
      out = this.tx(() =>
        specs.map((spec) => {
          if (spec.key) {
            const row = this.#stmt("SELECT * FROM jobs WHERE key = ?").get(spec.key) as
              | Row
              | undefined;
            if (row) return { job: this.#fromRow(row), duplicate: true };
          }
          const job = this.#newJob(spec, now);
          made.push(job);
          // Before the commit: every committed job can be rebuilt from its dir.
          writePendingSnapshot(job);
          this.#insertRow(job);
          return { job, duplicate: false };
        }), { durable: DURABLE_SUBMIT });
    } catch (e) {
      for (const j of made) removeJobDir(j.job_dir);
      throw e;
    }
    for (const j of made) {
      try {
        commitSnapshot(j.job_dir);
      } catch { /* settled by the next start's settlePendingSnapshots */ }
    }
    return out;
  }

  /**
   * Settles snapshots left pending by a crash between a submission's snapshot and its answer:
   * committed jobs get their job.json, jobs the DB never committed lose their dir. Run at
   * start, before anything can submit. Returns how many of each.
   */
  settlePendingSnapshots(): { committed: number; dropped: number } {
    const out = { committed: 0, dropped: 0 };
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(this.paths.jobs)];
    } catch {
      return out;
    }
    for (const e of entries) {
      if (!e.isDirectory) continue;
      const dir = this.paths.jobDir(e.name);
      if (readSnapshot(dir, "pending") === null) continue;
      if (this.#stmt("SELECT 1 FROM jobs WHERE job_id = ?").get(e.name)) {
        commitSnapshot(dir);
        out.committed++;
      } else {
        removeJobDir(dir);
        out.dropped++;
      }
    }
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

  /**
   * Applies one event in a transaction and returns the new record. An event that ends the job
   * writes its exit.json first, inside the transaction, unless its supervisor already wrote the
   * process's own (`exitWritten`): so every finished job's end survives a DB rebuild.
   */
  apply(id: string, event: JobEvent, opts: { exitWritten?: boolean } = {}): Job {
    return this.tx(() => {
      const row = this.#stmt("SELECT * FROM jobs WHERE job_id = ?").get(id) as Row | undefined;
      if (!row) {
        throw new BarnError("E_NOT_FOUND", `no job ${excerpt(id)}: list jobs with \`barn status\``);
      }
      const before = this.#fromRow(row);
      const now = nowIso();
      const after = transition(before, event, now);
      if (isFinished(after.state) && !opts.exitWritten) {
        writeExitFile(after.job_dir, exitFileOf(after));
      }
      this.#writeRow(after);
      if (after.state !== before.state) this.#event(id, after.state, now);
      if (isFinished(after.state) && !isFinished(before.state)) this.#enqueue(after, now);
      return after;
    });
  }

  /**
   * The outbox: one notification per URL of a job that just ended, written in the transaction
   * that ends it, so an end recorded by anyone (keeper, --offline client, kill, reconcile) is
   * delivered once a service runs. `delivered` marks ids a rebuild found already delivered.
   */
  #enqueue(job: Job, now: string, delivered: ReadonlyMap<string, string> = new Map()): void {
    const insert = this.#stmt(
      "INSERT OR IGNORE INTO notifications (delivery_id, job_id, url, body, state, created_at, " +
        "next_attempt_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    job.notify_urls.forEach((url, i) => {
      const id = deliveryId(job.job_id, i);
      const at = delivered.get(id) ?? null;
      insert.run(
        id,
        job.job_id,
        url,
        notificationBody(job, id),
        at === null ? "pending" : "delivered",
        now,
        now,
        at,
      );
    });
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
    // A release is rare and a rebuild must know it: refresh the snapshots.
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
      // A pending notification outlives its job: it carries its own body, and goes once delivered.
      const settled = this.#stmt(
        "DELETE FROM notifications WHERE job_id = ? AND state != 'pending'",
      );
      for (const j of jobs) {
        del.run(j.job_id);
        settled.run(j.job_id);
      }
    });
    for (const j of jobs) removeJobDir(j.job_dir);
    return jobs;
  }

  /**
   * Puts back a record rebuilt from its job dir; false when its key is already taken (a conflict).
   * A finished job's notifications come back too: delivered where its dir says so, else pending
   * (at least once: the receiver de-duplicates on the delivery id, which is the same as before).
   */
  restore(job: Job, delivered: ReadonlyMap<string, string> = new Map()): boolean {
    if (job.key !== null && this.#stmt("SELECT 1 FROM jobs WHERE key = ?").get(job.key)) {
      return false;
    }
    this.#insertRow(job);
    if (isFinished(job.state)) this.#enqueue(job, job.finished_at ?? nowIso(), delivered);
    return true;
  }

  /** A job's notifications, oldest first (describe). */
  notificationsOf(jobId: string): Notification[] {
    return (this.#stmt(
      "SELECT * FROM notifications WHERE job_id = ? ORDER BY delivery_id",
    ).all(jobId) as Row[]).map(notificationOf);
  }

  /** Pending notifications due at `now`, oldest first, with their bodies. */
  dueNotifications(
    now: string,
    limit: number,
  ): (Notification & { job_id: string; body: string })[] {
    return (this.#stmt(
      "SELECT * FROM notifications WHERE state = 'pending' AND next_attempt_at <= ? " +
        "ORDER BY next_attempt_at, delivery_id LIMIT ?",
    ).all(now, limit) as Row[]).map((r) => ({
      ...notificationOf(r),
      job_id: r.job_id as string,
      body: r.body as string,
    }));
  }

  /** When the next pending notification falls due, or null when none is pending. */
  nextNotificationAt(): string | null {
    return ((this.#stmt(
      "SELECT MIN(next_attempt_at) AS at FROM notifications WHERE state = 'pending'",
    ).get() as Row).at as string | null) ?? null;
  }

  /**
   * Records one delivery attempt: delivered, failed for good, or pending until `next`. A settled
   * notification whose job was cleaned meanwhile goes at once. Returns whether the job still exists.
   */
  recordAttempt(
    id: string,
    a: {
      at: string;
      state: NotificationState;
      status: number | null;
      error: string | null;
      next: string | null;
    },
  ): boolean {
    return this.tx(() => {
      this.#stmt(
        "UPDATE notifications SET attempts = attempts + 1, last_attempt_at = ?, state = ?, " +
          "last_status = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), " +
          "delivered_at = ? WHERE delivery_id = ? AND state = 'pending'",
      ).run(
        a.at,
        a.state,
        a.status,
        a.error,
        a.next,
        a.state === "delivered" ? a.at : null,
        id,
      );
      const live = this.#stmt(
        "SELECT 1 FROM jobs j JOIN notifications n ON n.job_id = j.job_id WHERE n.delivery_id = ?",
      ).get(id) !== undefined;
      if (!live && a.state !== "pending") {
        this.#stmt("DELETE FROM notifications WHERE delivery_id = ?").run(id);
      }
      return live;
    });
  }

  /** This DB's epoch (migration 3): a new DB file, rebuilt or fresh, has a new one, so `seq` restarts under it. */
  epoch(): string {
    return (this.#stmt("SELECT value FROM meta WHERE key = 'epoch'").get() as Row).value as string;
  }
}

function notificationOf(r: Row): Notification {
  const state = r.state as NotificationState;
  return {
    delivery_id: r.delivery_id as string,
    url: r.url as string,
    state,
    attempts: r.attempts as number,
    created_at: r.created_at as string,
    next_attempt_at: state === "pending" ? r.next_attempt_at as string : null,
    last_attempt_at: (r.last_attempt_at as string | null) ?? null,
    last_status: (r.last_status as number | null) ?? null,
    last_error: (r.last_error as string | null) ?? null,
    delivered_at: (r.delivered_at as string | null) ?? null,
  };
}
