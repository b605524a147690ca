/** Asking a job's supervisor to stop it: a request file for an --offline client, a message for the keeper. */

import { BarnError } from "../errors.ts";
import type { Job } from "../jobs/job.ts";
import type { Store } from "../store/store.ts";
import { writeStopRequest } from "../store/job_dir.ts";
import type { StopReason } from "../jobs/transitions.ts";

/** Leaves a stop request in the job dir, where its --offline supervisor looks twice a second. */
export function requestStopByFile(job: Job, reason: StopReason): void {
  writeStopRequest(job.job_dir, reason);
}

/** Polls the store until the job has finished, for up to `timeoutMs`. */
export async function waitFinished(store: Store, id: string, timeoutMs: number): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10;; delay = Math.min(delay * 2, 200)) {
    const job = store.get(id);
    if (!job) {
      throw new BarnError("E_NOT_FOUND", `job ${id} disappeared while it was being stopped`);
    }
    if (job.state !== "running" && job.state !== "queued") return job;
    if (Date.now() > deadline) {
      throw new BarnError(
        "E_BUSY",
        `job ${id} was asked to stop but is still running after ${
          Math.round(timeoutMs / 1000)
        }s; ` +
          "check it with `barn describe " + id + "`",
      );
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
