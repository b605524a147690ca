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
import { checkIdPrefix, newJobId, resolvePrefix } from "../jobs/ids.ts";
import { groupOf } from "../jobs/groups.ts";
import { planDependencies } from "../jobs/dependencies.ts";
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
import {
  COLUMNS,
  fromRow,
  type ListFilter,
  listQuery,
  QUOTED_COLUMNS,
  toParams,
  whereOf,
} from "./rows.ts";
import { DirTemplate, type ListCursor, pageQuery, recordJson } from "./rows.ts";

export type { ListFilter };

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

/** Running and queued jobs of one queue group. */
export interface GroupCounts {
  running: number;
  queued: number;
}

/** A queued job ready to start (held by no latch, waiting for no job): the queue's view of it. */
export interface ReadyJob {
  job_id: string;
  created_at: string;
  /** Insertion order, which breaks ties of created_at (a batch shares one). */
  seq: number;
}

/** How a job's end reads in its dependents' errors. */
function endText(job: Job): string {
  return job.state === "canceled"
    ? `was canceled (${job.exit_code})`
    : `failed (exit_code ${job.exit_code})`;
}

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
  /** Whether submissions commit with synchronous=FULL (DURABLE_SUBMIT; bench/ measures both). */
  durableSubmit = DURABLE_SUBMIT;

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
    return this.db.settings(this.durableSubmit);
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
      `INSERT INTO jobs (${QUOTED_COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`,
    ).run(...toParams(j));
    this.#event(j.job_id, j.state, j.created_at);
    const edge = this.#stmt("INSERT OR IGNORE INTO job_deps (job_id, after_id) VALUES (?, ?)");
    for (const a of j.waiting_for) edge.run(j.job_id, a);
  }

  #writeRow(j: Job): void {
    const sets = QUOTED_COLUMNS.slice(1).map((c) => `${c} = ?`).join(", ");
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
        name: spec.name ?? null,
        group: spec.group ?? groupOf(spec.command),
        after: [],
        waiting_for: [],
        timeout_seconds: spec.timeout_seconds ?? null,
        stall_timeout_seconds: spec.stall_timeout_seconds ?? null,
        verify: spec.verify ?? false,
        meta: spec.meta ?? null,
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
   * the existing job with `duplicate: true` instead of a new one. Each job's `after` names
   * stored jobs or other specs of the same call (by label; a cycle is refused before anything
   * is stored); a job after one that already failed or was canceled is stored, then canceled
   * with E_DEPENDENCY at once, as if it had been submitted a moment earlier.
   */
  insert(specs: readonly JobSpec[]): { job: Job; duplicate: boolean }[] {
    const plan = planDependencies(specs);
    const now = nowIso();
    const made: Job[] = [];
    let out: { job: Job; duplicate: boolean }[];
    try {
      out = this.tx(() => {
        const placed = specs.map((spec, i) => {
          if (spec.key) {
            const row = this.#stmt("SELECT * FROM jobs WHERE key = ?").get(spec.key) as
              | Row
              | undefined;
            if (row) return { job: this.#fromRow(row), duplicate: true };
          }
          if (spec.name) this.#refuseTakenName(spec.name, specs.length > 1 ? i : null);
          const job = this.#newJob(spec, now);
          made.push(job);
          return { job, duplicate: false };
        });
        const failedDeps: { job: Job; dep: Job }[] = [];
        const fresh = new Set(made.map((m) => m.job_id));
        placed.forEach((p, i) => {
          if (p.duplicate || plan[i]!.length === 0) return;
          const deps = plan[i]!.map((d) =>
            "line" in d ? placed[d.line]!.job : this.#resolveIn(d.ref, specs.length > 1 ? i : null)
          );
          const after = [...new Set(deps.map((d) => d.job_id))];
          // A line of this submission is waited for whatever its state; a stored job only until it succeeded.
          p.job = {
            ...p.job,
            after,
            waiting_for: after.filter((id) =>
              fresh.has(id) || deps.find((d) => d.job_id === id)!.state !== "succeeded"
            ),
          };
          const failed = deps.find((d) =>
            !fresh.has(d.job_id) && (d.state === "failed" || d.state === "canceled")
          );
          if (failed) failedDeps.push({ job: p.job, dep: failed });
        });
        for (const p of placed) {
          if (p.duplicate) continue;
          // Before the commit: every committed job can be rebuilt from its dir.
          writePendingSnapshot(p.job);
          this.#insertRow(p.job);
        }
        for (const { job, dep } of failedDeps) this.#afterEnd(dep, [job.job_id]);
        // Jobs canceled at once are returned as they now stand.
        return placed.map((p) =>
          p.duplicate || failedDeps.length === 0 ? p : { ...p, job: this.get(p.job.job_id)! }
        );
      }, { durable: this.durableSubmit });
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

  /** A name is unique among unfinished jobs (an index keeps it so; this check gives the message). */
  #refuseTakenName(name: string, line: number | null): void {
    const row = this.#stmt(
      "SELECT job_id, state FROM jobs WHERE name = ? AND state IN ('queued', 'running')",
    ).get(name) as Row | undefined;
    if (row) {
      throw new BarnError(
        "E_EXISTS",
        `${line === null ? "" : `job ${line + 1}: `}the name '${excerpt(name)}' belongs to job ` +
          `${row.job_id}, which is still ${row.state}; names are unique among unfinished jobs ` +
          "(pick another, or wait for it to end)",
      );
    }
  }

  /** `resolve` for a dependency, naming the batch line in its error. */
  #resolveIn(ref: string, line: number | null): Job {
    try {
      return this.resolve(ref);
    } catch (e) {
      if (!(e instanceof BarnError) || line === null) throw e;
      throw new BarnError(e.code, `job ${line + 1}: after: ${e.message}`);
    }
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

  /**
   * Resolves a full id, a prefix of 4+ characters (through the primary-key index) or `@NAME`:
   * the unfinished job of that name, else the newest finished one.
   */
  resolve(prefix: string): Job {
    if (prefix.startsWith("@")) return this.#byName(prefix.slice(1));
    const p = checkIdPrefix(prefix);
    const rows = this.#stmt(
      "SELECT job_id FROM jobs WHERE job_id >= ? AND job_id < ? ORDER BY job_id LIMIT 11",
    ).all(p, p + "\uffff") as Row[];
    const id = resolvePrefix(prefix, rows.map((r) => r.job_id as string));
    return this.get(id)!;
  }

  #byName(name: string): Job {
    const row = this.#stmt(
      "SELECT * FROM jobs WHERE name = ? ORDER BY state IN ('queued', 'running') DESC, " +
        "created_at DESC, rowid DESC LIMIT 1",
    ).get(name) as Row | undefined;
    if (!row) {
      throw new BarnError(
        "E_NOT_FOUND",
        `no job is named '${excerpt(name)}': list jobs with \`barn status\``,
      );
    }
    return this.#fromRow(row);
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
      // Its dependents learn of the end in the same transaction, so no end is ever lost to them.
      if (isFinished(after.state) && !isFinished(before.state)) this.#afterEnd(after);
      return after;
    });
  }

  /**
   * Inside a transaction, after `ended` reached a final state: a success lets its dependents
   * go on; a failure or cancel cancels them (E_DEPENDENCY, with their exit.json), and theirs,
   * transitively. `only` limits it to some dependents (a submission's own new jobs).
   */
  #afterEnd(ended: Job, only?: readonly string[]): void {
    const now = nowIso();
    const work: { ended: Job; root: Job; only?: readonly string[] | undefined }[] = [{
      ended,
      root: this.#rootCause(ended),
      only,
    }];
    const mine = this.#stmt("DELETE FROM job_deps WHERE job_id = ?");
    const dependents = this.#stmt("SELECT job_id FROM job_deps WHERE after_id = ?");
    const drop = this.#stmt("DELETE FROM job_deps WHERE job_id = ? AND after_id = ?");
    while (work.length) {
      const { ended, root, only } = work.pop()!;
      // Every end passes here (its own, or one it causes): its webhooks join the outbox.
      this.#enqueue(ended, now);
      mine.run(ended.job_id);
      const ids = only ?? (dependents.all(ended.job_id) as Row[]).map((r) => r.job_id as string);
      for (const id of ids) {
        drop.run(id, ended.job_id);
        const row = this.#stmt("SELECT * FROM jobs WHERE job_id = ?").get(id) as Row | undefined;
        if (!row) continue;
        const before = this.#fromRow(row);
        if (before.state !== "queued") continue;
        if (ended.state === "succeeded") {
          this.#writeRow(transition(before, { type: "dependency_met", job_id: ended.job_id }, now));
          continue;
        }
        const error = `job ${root.job_id} ${endText(root)}, and this job runs after it` +
          (root.job_id === ended.job_id ? "" : ` (through job ${ended.job_id})`) +
          "; it never ran (`barn retry` runs it, without waiting)";
        const done = transition(before, { type: "dependency_failed", error }, now);
        writeExitFile(done.job_dir, exitFileOf(done));
        this.#writeRow(done);
        this.#event(id, done.state, now);
        work.push({ ended: done, root });
      }
    }
  }

  /**
   * The outbox: one notification per URL of a job that just ended, written in the transaction
   * that ends it, so an end recorded by anyone (keeper, --offline client, kill, reconcile, a
   * dependency's failure) is delivered once a service runs. Idempotent per delivery id.
   * `delivered` marks ids a rebuild found already delivered.
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

  /** The job whose failure a dependency cancel goes back to (itself, unless it ended E_DEPENDENCY). */
  #rootCause(job: Job): Job {
    for (let i = 0; i < 10_000 && job.exit_code === "E_DEPENDENCY"; i++) {
      const cause = job.after.map((id) => this.get(id)).find((j) =>
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
  settleDependencies(): number {
    return this.tx(() => {
      const rows = this.#stmt(
        "SELECT d.job_id, d.after_id, j.job_id AS found FROM job_deps d " +
          "LEFT JOIN jobs j ON j.job_id = d.after_id " +
          "WHERE j.job_id IS NULL OR j.state IN ('succeeded', 'failed', 'canceled')",
      ).all() as Row[];
      for (const r of rows) {
        const dep = r.found === null ? null : this.get(r.after_id as string);
        if (dep !== null) {
          this.#afterEnd(dep, [r.job_id as string]);
          continue;
        }
        this.#stmt("DELETE FROM job_deps WHERE job_id = ? AND after_id = ?").run(
          r.job_id as string,
          r.after_id as string,
        );
        const job = this.get(r.job_id as string);
        if (job?.state !== "queued") continue;
        const done = transition(job, {
          type: "dependency_failed",
          error: `job ${r.after_id}, which this job runs after, no longer exists (its dir ` +
            "could not be restored); it never ran (`barn retry` runs it, without waiting)",
        }, nowIso());
        writeExitFile(done.job_dir, exitFileOf(done));
        this.#writeRow(done);
        this.#event(done.job_id, done.state, done.finished_at!);
        this.#afterEnd(done);
      }
      return rows.length;
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

  /** The oldest ready jobs of one group (held by no latch, waiting for no job), FIFO. */
  nextQueued(group: string, limit: number): ReadyJob[] {
    return (this.#stmt(
      `SELECT job_id, created_at, rowid AS seq FROM jobs WHERE state = 'queued' AND "group" = ? ` +
        "AND latch IS NULL AND waiting_for IS NULL ORDER BY created_at, rowid LIMIT ?",
    ).all(group, limit) as Row[]).map((r) => ({
      job_id: r.job_id as string,
      created_at: r.created_at as string,
      seq: r.seq as number,
    }));
  }

  /** The groups that have a ready job: one index probe per group, however long the queue. */
  readyGroups(): string[] {
    const next = this.#stmt(
      // The planner would scan every queued row through the state index without the hint.
      `SELECT "group" AS g FROM jobs INDEXED BY jobs_ready WHERE state = 'queued' AND latch IS NULL ` +
        `AND waiting_for IS NULL AND "group" > ? ORDER BY "group" LIMIT 1`,
    );
    const out: string[] = [];
    for (let after = "";;) {
      const r = next.get(after) as Row | undefined;
      if (!r) return out;
      after = r.g as string;
      out.push(after);
    }
  }

  /** Running jobs by group. */
  runningByGroup(): Map<string, number> {
    return new Map(
      (this.#stmt(
        `SELECT "group" AS g, COUNT(*) AS n FROM jobs WHERE state = 'running' GROUP BY "group"`,
      ).all() as Row[]).map((r) => [r.g as string, r.n as number]),
    );
  }

  /** Running and queued jobs by group (groups with neither are absent). */
  groupCounts(): Map<string, GroupCounts> {
    const out = new Map<string, GroupCounts>();
    for (
      const r of this.#stmt(
        `SELECT "group" AS g, state, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') ` +
          `GROUP BY "group", state`,
      ).all() as Row[]
    ) {
      const c = out.get(r.g as string) ?? { running: 0, queued: 0 };
      c[r.state as "queued" | "running"] = r.n as number;
      out.set(r.g as string, c);
    }
    return out;
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

  /**
   * Removes finished jobs, records and dirs; never an unfinished one. The default sweep takes
   * succeeded and canceled jobs, and failed ones finished before `failedBefore`; named jobs
   * must all be finished (else nothing goes, E_STATE); a filter takes the finished jobs it
   * matches. With `dryRun`, returns what would go and removes nothing.
   */
  clean(sel: CleanSelection, dryRun = false): Job[] {
    const jobs = this.tx(() => {
      const chosen = this.#cleanable(sel);
      if (dryRun) return chosen;
      const del = this.#stmt("DELETE FROM jobs WHERE job_id = ?");
      const deps = this.#stmt("DELETE FROM job_deps WHERE job_id = ?");
      // A pending notification outlives its job: it carries its own body, and goes once delivered.
      const settled = this.#stmt(
        "DELETE FROM notifications WHERE job_id = ? AND state != 'pending'",
      );
      for (const j of chosen) {
        del.run(j.job_id);
        deps.run(j.job_id);
        settled.run(j.job_id);
      }
      return chosen;
    });
    if (!dryRun) { for (const j of jobs) removeJobDir(j.job_dir); }
    return jobs;
  }

  /** The finished jobs a clean selection takes, oldest first. */
  #cleanable(sel: CleanSelection): Job[] {
    if (sel.kind === "ids") {
      const found = new Map<string, Job>();
      for (const ref of sel.ids) {
        const j = this.resolve(ref);
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
      rows = this.#stmt(
        "SELECT * FROM jobs WHERE state IN ('succeeded', 'canceled') OR (state = 'failed' AND finished_at < ?) ORDER BY created_at",
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
      rows = this.#stmt(`SELECT * FROM jobs WHERE ${where.join(" AND ")} ORDER BY created_at`)
        .all(...params) as Row[];
    }
    return rows.map((r) => this.#fromRow(r));
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
