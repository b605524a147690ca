/** Stopping a running job through its supervisor: a message for the keeper, a request file for an --offline client. */

import { BarnError } from "../errors.ts";
import type { Job } from "../jobs/job.ts";
import type { Store } from "../store/store.ts";
import { writeStopRequest } from "../store/job_dir.ts";
import type { StopReason } from "../jobs/transitions.ts";
import { keeperStop } from "./keeper_client.ts";

const KILL: StopReason = { code: "E_CANCELED", error: "canceled by `barn kill`" };

/**
 * Asks the job's supervisor to stop it (SIGTERM, then SIGKILL after `graceSeconds`) and waits
 * for its end: the one path for the service and --offline alike.
 */
export async function stopRunning(
  store: Store,
  job: Job,
  graceSeconds: number,
  reason: StopReason = KILL,
): Promise<Job> {
  if (job.supervisor === "keeper") await keeperStop(store.paths.home, job.job_id, reason);
  else writeStopRequest(job.job_dir, reason); // its --offline supervisor looks 4 times a second
  return await waitFinished(store, job.job_id, (graceSeconds + 10) * 1000);
}

/** Polls the store until the job has finished, for up to `timeoutMs`. */
async function waitFinished(store: Store, id: string, timeoutMs: number): Promise<Job> {
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
