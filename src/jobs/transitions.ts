/** The job state machine: one pure function from (job, event, now) to the next job. */

import { BarnError } from "../errors.ts";
import type { Job, JobState } from "./job.ts";
import { type OutcomeCode, SIGNALS } from "./exit_codes.ts";

/** How a process ended, plus barn's verdict when barn decided the outcome. */
export interface ExitInfo {
  process_exit_code: number | null;
  signal: string | null;
  /** Set when barn decided the outcome, e.g. E_TIMEOUT after it killed the job. */
  outcome?: { code: OutcomeCode | `E_HTTP_${number}`; error: string } | undefined;
  log_truncated?: boolean | undefined;
}

/** Why barn stopped a job, which becomes its symbolic exit code. */
export type StopReason = { code: OutcomeCode; error: string };

export type JobEvent =
  | { type: "start"; pid: number | null; supervisor: Job["supervisor"]; supervisor_pid: number }
  | { type: "pid"; pid: number }
  | { type: "exit"; info: ExitInfo }
  | { type: "cancel"; reason: string }
  | {
    type: "spawn_failed";
    code: "E_SPAWN" | "E_NOT_ALLOWED" | "E_SANDBOX" | "E_START_FAILED";
    error: string;
  }
  | { type: "interrupted"; error: string }
  | { type: "release" }
  /** A job it runs after has succeeded. */
  | { type: "dependency_met"; job_id: string }
  /** A job it runs after failed or was canceled: it can never run (E_DEPENDENCY). */
  | { type: "dependency_failed"; error: string };

function refuse(job: Job, event: JobEvent): never {
  const waiting = job.state === "queued" && job.waiting_for.length > 0;
  throw new BarnError(
    "E_STATE",
    `job ${job.job_id} is ${job.state}${
      waiting ? ` (waiting for ${job.waiting_for.join(", ")})` : ""
    }, so it cannot take '${event.type}'` +
      (job.state === "queued" || job.state === "running"
        ? ""
        : " (it has already finished: see `barn describe " + job.job_id + "`)"),
  );
}

function finish(job: Job, state: JobState, now: string, fields: Partial<Job>): Job {
  // A finished job waits for nothing.
  return { ...job, ...fields, state, finished_at: now, heartbeat: now, waiting_for: [] };
}

/** The state reached by a process exit, before any barn verdict. */
export function exitVerdict(info: ExitInfo): Pick<Job, "state" | "exit_code" | "error"> {
  if (info.outcome) {
    const canceled = info.outcome.code === "E_CANCELED" || info.outcome.code === "E_DEPENDENCY";
    const state: JobState = canceled ? "canceled" : "failed";
    return { state, exit_code: info.outcome.code, error: info.outcome.error };
  }
  if (info.signal !== null) {
    const n = SIGNALS[info.signal];
    return {
      state: "failed",
      exit_code: n === undefined ? 1 : 128 + n,
      error: `process was killed by ${info.signal}`,
    };
  }
  const code = info.process_exit_code ?? 1;
  return code === 0
    ? { state: "succeeded", exit_code: 0, error: null }
    : { state: "failed", exit_code: code, error: `process exited with code ${code}` };
}

/**
 * The latch an `--offline` client holds the job it submits on, until it starts that job itself:
 * a service running meanwhile must not take it (`barn release offline` hands it over if the
 * client died first).
 */
export const OFFLINE_LATCH = "offline";

export function transition(job: Job, event: JobEvent, now: string): Job {
  switch (event.type) {
    case "start": {
      const claimed = event.supervisor === "offline" && job.latch === OFFLINE_LATCH;
      if (
        job.state !== "queued" || (job.latch !== null && !claimed) || job.waiting_for.length > 0
      ) {
        refuse(job, event);
      }
      return {
        ...job,
        latch: null,
        state: "running",
        started_at: now,
        heartbeat: now,
        pid: event.pid,
        supervisor: event.supervisor,
        supervisor_pid: event.supervisor_pid,
      };
    }
    case "pid":
      if (job.state !== "running") refuse(job, event);
      return { ...job, pid: event.pid, heartbeat: now };
    case "exit": {
      if (job.state !== "running") refuse(job, event);
      const v = exitVerdict(event.info);
      return finish(job, v.state, now, {
        exit_code: v.exit_code,
        error: v.error,
        process_exit_code: event.info.process_exit_code,
        signal: event.info.signal,
        log_truncated: job.log_truncated || (event.info.log_truncated ?? false),
      });
    }
    case "cancel":
      if (job.state !== "queued") refuse(job, event);
      return finish(job, "canceled", now, { exit_code: "E_CANCELED", error: event.reason });
    case "spawn_failed":
      if (job.state !== "running" && job.state !== "queued") refuse(job, event);
      return finish(job, "failed", now, { exit_code: event.code, error: event.error });
    case "interrupted":
      if (job.state !== "running") refuse(job, event);
      return finish(job, "failed", now, { exit_code: "E_INTERRUPTED", error: event.error });
    case "release":
      if (job.state !== "queued" || job.latch === null) refuse(job, event);
      return { ...job, latch: null };
    case "dependency_met":
      if (job.state !== "queued") refuse(job, event);
      return { ...job, waiting_for: job.waiting_for.filter((id) => id !== event.job_id) };
    case "dependency_failed":
      if (job.state !== "queued") refuse(job, event);
      return finish(job, "canceled", now, { exit_code: "E_DEPENDENCY", error: event.error });
    default: {
      const never: never = event;
      throw new Error(`unknown job event ${JSON.stringify(never)}`);
    }
  }
}
