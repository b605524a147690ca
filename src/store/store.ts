/** The job store: barn.db (db.ts) behind one object; its SQL lives in the pieces it delegates to, job dirs are job_dir.ts's. */

import { BarnError } from "../errors.ts";
import type { Job, JobCounts, JobEventRecord, JobSpec } from "../jobs/job.ts";
import type { JobEvent } from "../jobs/transitions.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import type { Notification } from "../notify/notification.ts";
import { Db, type DbSettings, DEFAULT_BUSY_TIMEOUT_MS } from "./db.ts";
import { clean, type CleanSelection } from "./clean.ts";
import { settleDependencies } from "./job_deps.ts";
import { getJob, resolveJob, type StoreBase } from "./job_rows.ts";
import { applyEvent, heartbeat, release, setPid, setProgress } from "./job_updates.ts";
import {
  countJobs,
  epoch,
  eventsSince,
  iterateListing,
  iterateRecords,
  lastEventSeq,
  listJobs,
  type StoredRecord,
} from "./listing.ts";
import type { RecordLayout } from "./record_text.ts";
import {
  type Attempt,
  dueNotifications,
  nextNotificationAt,
  notificationsOf,
  recordAttempt,
} from "./outbox.ts";
import {
  counts,
  type GroupCounts,
  groupCounts,
  nextQueued,
  readyGroups,
  type ReadyJob,
  runningByGroup,
  runningCount,
  unfinishedOf,
} from "./queue.ts";
import type { ListFilter } from "./rows.ts";
import { restore, settlePendingSnapshots, submit } from "./submit.ts";

/**
 * New jobs are committed with synchronous=FULL, so an id once printed survives power loss too
 * (docs/reliability.md has the cost, measured in bench/); state changes after that use NORMAL.
 */
export const DURABLE_SUBMIT = true;

/** One open barn.db: each method is one piece's function (their files say what each does). */
export class Store implements StoreBase {
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

  /**
   * The connection; reopened when barn.db was replaced under this process (a rebuild moved it
   * aside). Checked once per transaction: inside one, the connection it began on is the one.
   */
  get db(): Db {
    if (!this.#db.inTransaction && this.#db.replaced()) {
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

  /** Runs `fn`'s reads in one read transaction (Db.read). */
  read<T>(fn: () => T): T {
    return this.db.read(fn);
  }

  /** Runs `fn` in one write transaction. */
  tx<T>(fn: () => T, opts: { durable?: boolean } = {}): T {
    return this.db.tx(fn, opts);
  }

  // job_rows.ts, submit.ts, job_updates.ts, job_deps.ts: a job's row, from submission to its end.
  get(id: string): Job | null {
    return getJob(this, id);
  }
  resolve(prefix: string): Job {
    return resolveJob(this, prefix);
  }
  insert(specs: readonly JobSpec[]): { job: Job; duplicate: boolean }[] {
    return submit(this, specs, this.durableSubmit);
  }
  settlePendingSnapshots(): { committed: number; dropped: number } {
    return settlePendingSnapshots(this);
  }
  restore(job: Job, delivered?: ReadonlyMap<string, string>): boolean {
    return restore(this, job, delivered);
  }
  apply(id: string, event: JobEvent, opts: { exitWritten?: boolean } = {}): Job {
    return applyEvent(this, id, event, opts);
  }
  settleDependencies(): number {
    return settleDependencies(this);
  }
  setPid(id: string, pid: number): void {
    setPid(this, id, pid);
  }
  setProgress(id: string, progress: Job["progress"], truncated: boolean): void {
    setProgress(this, id, progress, truncated);
  }
  heartbeat(ids: readonly string[]): void {
    heartbeat(this, ids);
  }
  release(latch: string): Job[] {
    return release(this, latch);
  }
  clean(sel: CleanSelection, dryRun = false): Job[] {
    return clean(this, sel, dryRun);
  }

  // listing.ts: what readers list.
  count(filter: ListFilter = {}): number {
    return countJobs(this, filter);
  }
  list(filter: ListFilter = {}): Job[] {
    return listJobs(this, filter);
  }
  iterateRecords(filter: ListFilter, layout: RecordLayout): Generator<string> {
    return iterateRecords(this, filter, layout);
  }

  iterateListing(filter: ListFilter): Generator<string | StoredRecord> {
    return iterateListing(this, filter);
  }
  eventsSince(seq: number, tag: string | undefined, limit?: number): JobEventRecord[] {
    return eventsSince(this, seq, tag, limit);
  }
  lastEventSeq(): number {
    return lastEventSeq(this);
  }
  epoch(): string {
    return epoch(this);
  }

  // queue.ts: the scheduler's queries and the counts.
  nextQueued(group: string, limit: number): ReadyJob[] {
    return nextQueued(this, group, limit);
  }
  readyGroups(): string[] {
    return readyGroups(this);
  }
  runningByGroup(): Map<string, number> {
    return runningByGroup(this);
  }
  groupCounts(): Map<string, GroupCounts> {
    return groupCounts(this);
  }
  unfinishedOf(ids: Iterable<string>): string[] {
    return unfinishedOf(this, ids);
  }
  runningCount(): number {
    return runningCount(this);
  }
  counts(): JobCounts {
    return counts(this);
  }

  // outbox.ts: webhook deliveries.
  notificationsOf(jobId: string): Notification[] {
    return notificationsOf(this, jobId);
  }
  dueNotifications(
    now: string,
    limit: number,
  ): (Notification & { job_id: string; body: string })[] {
    return dueNotifications(this, now, limit);
  }
  nextNotificationAt(): string | null {
    return nextNotificationAt(this);
  }
  recordAttempt(id: string, a: Attempt): boolean {
    return recordAttempt(this, id, a);
  }
}
