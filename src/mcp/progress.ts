/** What `wait` reports as MCP progress while jobs run (pure): one rising number and a short message. */

import { formatDuration } from "../config/duration.ts";
import { isFinished, type Job } from "../jobs/job.ts";

export interface ProgressUpdate {
  /** Percent of the waited jobs done, 0–100: finished jobs count 100, jobs without numbers 0. */
  progress: number;
  total: 100;
  message: string;
}

/** One job's numbers in words: `34.1%, 0.97x, ETA 4m`. */
function describeProgress(job: Job): string {
  const p = job.progress;
  if (isFinished(job.state)) return `${job.job_id} ${job.state}`;
  if (job.state !== "running" || !p) return `${job.job_id} ${job.state}`;
  const parts: string[] = [];
  if (p.percent !== undefined) parts.push(`${p.percent.toFixed(1)}%`);
  if (p.speed !== undefined) parts.push(`${p.speed.toFixed(2)}x`);
  if (p.rate_bps !== undefined) parts.push(`${(p.rate_bps / 1e6).toFixed(1)} MB/s`);
  if (p.eta_seconds !== undefined) parts.push(`ETA ${formatDuration(p.eta_seconds)}`);
  return `${job.job_id} running${parts.length ? ": " + parts.join(", ") : ""}`;
}

function percentDone(job: Job): number {
  if (isFinished(job.state)) return 100;
  return Math.max(0, Math.min(100, job.progress?.percent ?? 0));
}

/**
 * The next notification for `jobs`, or null when there is nothing new: MCP wants `progress` to
 * rise with every notification, so an unchanged or lower figure sends nothing.
 */
export function progressUpdate(jobs: readonly Job[], last: number | null): ProgressUpdate | null {
  if (jobs.length === 0) return null;
  const progress = Math.round(
    (jobs.reduce((n, j) => n + percentDone(j), 0) / jobs.length) * 10,
  ) / 10;
  if (last !== null && progress <= last) return null;
  const shown = jobs.filter((j) => j.state === "running").slice(0, 3);
  const message = (shown.length ? shown : jobs.slice(0, 1)).map(describeProgress).join("; ") +
    (jobs.length > 1
      ? ` (${jobs.filter((j) => isFinished(j.state)).length}/${jobs.length} done)`
      : "");
  return { progress, total: 100, message };
}
