/**
 * The queue: starts ready jobs through the keeper, FIFO by created_at within each group, while
 * the group is under its limit and all groups together under `max_parallel` (when set).
 */

import { BarnError } from "../errors.ts";
import type { Config } from "../config/config.ts";
import type { Job } from "../jobs/job.ts";
import type { ReadyJob } from "../store/queue.ts";
import type { Store } from "../store/store.ts";
import { DEFAULT_GROUP } from "../jobs/groups.ts";
import type { JobControl } from "./context.ts";
import type { KeeperLink } from "./keeper_link.ts";
import { ANY_CHANGE, type Change } from "./changes.ts";
import { stopRunning } from "../supervisor/stop_request.ts";

/** A group's limit; a group no longer in config (after a reload) has the default group's. */
export function groupLimit(config: Config, group: string): number {
  const own = (g: string) => Object.hasOwn(config.groups, g) ? config.groups[g] : undefined;
  return own(group) ?? own(DEFAULT_GROUP) ?? config.max_parallel ?? 1;
}

/** Ready jobs of several groups in one FIFO: created_at, then insertion order. */
function fifo(a: ReadyJob, b: ReadyJob): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.seq - b.seq;
}

/** A start that fails is tried this many times in all, with a doubling pause, before the job fails. */
export const START_TRIES = 4;
const FIRST_PAUSE_MS = 500;

export class Scheduler implements JobControl {
  /** Jobs sent to the keeper whose start it has not yet confirmed, with their groups. */
  #starting = new Map<string, string>();
  /** Jobs whose start failed: how often, and not before when to try again. */
  #failures = new Map<string, { tries: number; notBefore: number; last: string }>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pumping = false;
  #again = false;
  /** The last pass held back ready jobs while starts were in flight. */
  #short = false;
  #dispatchQueued = false;
  #held = false;

  constructor(
    private store: Store,
    private keeper: KeeperLink,
    private config: () => Config,
    private log: (m: string) => void,
    private changed: (c: Change) => void = () => {},
    /** Told after every queue pass whether anything still runs or waits. */
    private quiet: (idle: boolean) => void = () => {},
  ) {}

  /**
   * Starts what can start, on the next turn of the event loop: a submit's answer goes out
   * first, and a burst of submits folds into one queue pass.
   */
  dispatch(): void {
    if (this.#dispatchQueued) return;
    this.#dispatchQueued = true;
    setTimeout(() => {
      this.#dispatchQueued = false;
      this.pump();
    }, 0);
  }

  /** Starts queued jobs while slots are free; re-entrant calls fold into one more pass. */
  pump(): void {
    if (this.#held) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        // One read transaction for the pass: one snapshot, one lock, one check of barn.db.
        const pass = this.store.read(() => this.#plan());
        const inFlight = this.#starting.size;
        for (const j of pass.start) this.#start(j.job_id, j.group);
        // A start that comes back turns a starting job into a running one, which frees no slot:
        // only a pass that starts in flight held back needs another pass when they come back.
        this.#short = pass.limited && inFlight > 0;
        this.quiet(
          !pass.full && pass.running === 0 && this.#starting.size === 0 &&
            this.#failures.size === 0,
        );
      } while (this.#again);
      this.#armRetry();
    } catch (e) {
      this.log(`queue pass failed: ${(e as Error).message}`);
    } finally {
      this.#pumping = false;
    }
  }

  /** One pass's reads: which ready jobs to start, whether a limit held any back, how many run. */
  #plan(): {
    start: (ReadyJob & { group: string })[];
    limited: boolean;
    full: boolean;
    running: number;
  } {
    const config = this.config();
    const running = this.store.runningByGroup();
    const busy = new Map(running);
    for (const g of this.#starting.values()) busy.set(g, (busy.get(g) ?? 0) + 1);
    let total = 0;
    for (const n of busy.values()) total += n;
    const globalFree = config.max_parallel === null ? Infinity : config.max_parallel - total;
    if (globalFree <= 0) return { start: [], limited: true, full: true, running: running.size };
    const now = Date.now();
    const backingOff = (id: string) => (this.#failures.get(id)?.notBefore ?? 0) > now;
    const waiting = [...this.#failures.values()].filter((f) => f.notBefore > now).length;
    const ready: (ReadyJob & { group: string })[] = [];
    let limited = false;
    for (const group of this.store.readyGroups()) {
      const free = Math.min(globalFree, groupLimit(config, group) - (busy.get(group) ?? 0));
      if (free <= 0) {
        limited = true;
        continue;
      }
      const candidates = this.store.nextQueued(group, free + this.#starting.size + waiting)
        .filter((j) => !this.#starting.has(j.job_id) && !backingOff(j.job_id));
      if (candidates.length > free) limited = true;
      for (const j of candidates.slice(0, free)) ready.push({ ...j, group });
    }
    if (ready.length > globalFree) limited = true;
    this.#pruneFailures();
    // Under a global cap the free slots go to the oldest ready jobs, whatever their group.
    return {
      start: ready.sort(fifo).slice(0, globalFree),
      limited,
      full: false,
      running: running.size,
    };
  }

  #start(id: string, group: string): void {
    this.#starting.set(id, group);
    this.keeper.request({ kind: "start", job_id: id }).then(
      () => {
        this.#failures.delete(id);
        return false;
      },
      (e) => {
        this.#startFailed(id, e);
        return true;
      },
    ).then((failed) => {
      this.#starting.delete(id);
      // A failed start may have ended the job (E_START_FAILED) and frees its slot.
      this.changed(failed ? ANY_CHANGE : { ends: false });
      if (failed || this.#short) this.pump();
    });
  }

  /** Tries again later with a doubling pause; after START_TRIES the job ends E_START_FAILED. */
  #startFailed(id: string, e: unknown): void {
    const message = (e as Error)?.message ?? String(e);
    // Another supervisor has it, or it is no longer queued: nothing to retry.
    if (e instanceof BarnError && (e.code === "E_STATE" || e.code === "E_NOT_FOUND")) {
      this.#failures.delete(id);
      return;
    }
    const tries = (this.#failures.get(id)?.tries ?? 0) + 1;
    if (tries >= START_TRIES) {
      this.#failures.delete(id);
      try {
        this.store.apply(id, {
          type: "spawn_failed",
          code: "E_START_FAILED",
          error: `barn could not start it after ${tries} tries: ${message}`,
        });
        this.log(`job ${id}: failed, could not be started after ${tries} tries: ${message}`);
      } catch (err) {
        this.log(`job ${id}: could not be marked failed: ${(err as Error).message}`);
      }
      return;
    }
    const pause = FIRST_PAUSE_MS * 2 ** (tries - 1);
    this.#failures.set(id, { tries, notBefore: Date.now() + pause, last: message });
    this.log(
      `job ${id}: could not start it (try ${tries} of ${START_TRIES}, next in ${pause} ms): ${message}`,
    );
  }

  /** A pass when the earliest pause ends. */
  #armRetry(): void {
    clearTimeout(this.#retryTimer);
    if (this.#failures.size === 0) return;
    const at = Math.min(...[...this.#failures.values()].map((f) => f.notBefore));
    this.#retryTimer = setTimeout(() => this.pump(), Math.max(0, at - Date.now()));
  }

  /** Forgets failures of jobs that left the queue meanwhile (killed, or started elsewhere). */
  #pruneFailures(): void {
    for (const id of this.#failures.keys()) {
      if (this.store.get(id)?.state !== "queued") this.#failures.delete(id);
    }
  }

  stopRunning(job: Job): Promise<Job> {
    return stopRunning(this.store, job, this.config().kill_grace_seconds);
  }

  /** Starts nothing more, for good: `service stop --kill-jobs` is emptying the queue. */
  hold(): void {
    this.#held = true;
    clearTimeout(this.#retryTimer);
  }

  stop(): void {
    clearTimeout(this.#retryTimer);
  }
}
