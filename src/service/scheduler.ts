/** The queue: FIFO start of queued jobs through the keeper, at most max_parallel at a time. */

import type { Config } from "../config/config.ts";
import type { Job } from "../jobs/job.ts";
import type { Store } from "../store/store.ts";
import type { JobControl } from "./context.ts";
import type { KeeperLink } from "./keeper_link.ts";
import { requestStopByFile, waitFinished } from "../supervisor/stop_request.ts";

export class Scheduler implements JobControl {
  /** Jobs sent to the keeper whose start it has not yet confirmed. */
  #starting = new Set<string>();
  #pumping = false;
  #again = false;
  #dispatchQueued = false;

  constructor(
    private store: Store,
    private keeper: KeeperLink,
    private config: () => Config,
    private log: (m: string) => void,
    private changed: () => void = () => {},
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
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        const running = this.store.runningCount();
        const free = this.config().max_parallel - running - this.#starting.size;
        if (free <= 0) {
          this.quiet(false);
          break;
        }
        const next = this.store.nextQueued(free + this.#starting.size)
          .filter((id) => !this.#starting.has(id))
          .slice(0, free);
        for (const id of next) this.#start(id);
        this.quiet(running === 0 && this.#starting.size === 0);
      } while (this.#again);
    } catch (e) {
      this.log(`queue pass failed: ${(e as Error).message}`);
    } finally {
      this.#pumping = false;
    }
  }

  #start(id: string): void {
    this.#starting.add(id);
    this.keeper.request({ kind: "start", job_id: id }).catch((e) => {
      this.log(`job ${id}: keeper could not start it: ${(e as Error).message}`);
    }).finally(() => {
      this.#starting.delete(id);

      this.changed();
      this.pump();
    });
  }

  async stopRunning(job: Job): Promise<Job> {
    const reason = { code: "E_CANCELED" as const, error: "canceled by `barn kill`" };
    if (job.supervisor === "keeper") {
      await this.keeper.request({ kind: "stop", job_id: job.job_id, reason });
    } else {
      requestStopByFile(job, reason);
    }
    return await waitFinished(
      this.store,
      job.job_id,
      (this.config().kill_grace_seconds + 10) * 1000,
    );
  }
}
