/** `run --on=any` (pure): the host with the fewest queued + running jobs, by `service status`; ties go to the first in the inventory. */

import type { ServiceStatus } from "../protocol/messages.ts";
import type { HostResult } from "./fan_out.ts";

export interface Load {
  host: string;
  queued: number;
  running: number;
}

/** The least loaded host that answered with its counts, or null when none did. */
export function leastLoaded(
  results: readonly HostResult<{ status: ServiceStatus }>[],
): Load | null {
  let best: Load | null = null;
  for (const r of results) {
    if (!r.ok || !r.status.jobs) continue;
    const load = { host: r.host, queued: r.status.jobs.queued, running: r.status.jobs.running };
    if (best === null || load.queued + load.running < best.queued + best.running) best = load;
  }
  return best;
}
