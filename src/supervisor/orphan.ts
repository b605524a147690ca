/** Whether a live process is still a job's, after its supervisor died (pure). */

import type { Job } from "../jobs/job.ts";

/** How far the process's start may be from the job's `started_at` (ps shows whole seconds). */
export const START_TOLERANCE_MS = 2500;

/**
 * "group" when the process leads its own group and started with the job (signal the group),
 * "pid" when it is a plain child of the job's supervisor, or of init once that died, or carries
 * the job's BARN_JOB_ID (`marked`: its parent may be a subreaper such as `systemd --user`)
 * (signal the pid), else why it is not the job's.
 */
export function orphanVerdict(
  job: Pick<Job, "pid" | "started_at" | "supervisor_pid">,
  id: { startedAt: Date; pgid: number; ppid: number },
  marked = false,
): "group" | "pid" | string {
  const started = job.started_at ? new Date(job.started_at).getTime() : NaN;
  if (!(Math.abs(id.startedAt.getTime() - started) <= START_TOLERANCE_MS)) {
    return "it started at another time";
  }
  if (id.pgid === job.pid) return "group";
  if (marked || id.ppid === 1 || (job.supervisor_pid !== null && id.ppid === job.supervisor_pid)) {
    return "pid";
  }
  return `its parent is pid ${id.ppid}, neither the job's supervisor nor init`;
}
