/** How a rebuild restores one job from its dir (pure): exit.json wins, a live lock means running. */

import type { Job, JobState } from "../jobs/job.ts";
import { exitVerdict } from "../jobs/transitions.ts";
import { groupOf } from "../jobs/groups.ts";
import type { ExitFile } from "./job_dir.ts";

/** The latch a rebuilt job is held on when barn cannot tell whether it was ever acknowledged. */
export const REBUILD_LATCH = "rebuild";

/** What a job dir says of its job: its snapshot, overlaid with how it ended or where it stands. */
export function restoredJob(
  snapshot: Job,
  pending: boolean,
  exit: ExitFile | null,
  supervised: boolean,
  started: boolean,
  now: string,
): { job: Job; kind: "finished" | "running" | "interrupted" | "held" | "restored" } {
  // Snapshots from before issue 16 lack its fields: their defaults.
  const base: Job = {
    ...snapshot,
    name: snapshot.name ?? null,
    group: snapshot.group ?? groupOf(snapshot.command),
    after: snapshot.after ?? [],
    waiting_for: [],
    meta: snapshot.meta ?? null,
    progress: null,
    // Snapshots written before webhooks existed have no notify_urls.
    notify_urls: snapshot.notify_urls ?? [],
  };
  if (exit) {
    // exit.json wins over job.json: it is the job's final word.
    const v = exit.final ?? exitVerdict(exit);
    return {
      kind: "finished",
      job: {
        ...base,
        state: v.state,
        exit_code: v.exit_code,
        error: v.error,
        process_exit_code: exit.process_exit_code,
        signal: exit.signal,
        finished_at: exit.finished_at,
        log_truncated: base.log_truncated || (exit.log_truncated ?? false),
      },
    };
  }
  if (supervised) {
    // Its supervisor still holds the lock: the job runs, and its end will be recorded as usual.
    return {
      kind: "running",
      job: { ...base, state: "running", started_at: base.started_at ?? now, heartbeat: now },
    };
  }
  if (started) {
    return {
      kind: "interrupted",
      job: {
        ...base,
        state: "failed",
        exit_code: "E_INTERRUPTED",
        error: "restored by a DB rebuild: it had started, and its supervisor left no exit " +
          "status (crash, SIGKILL or reboot); `barn retry` runs it again",
        started_at: base.started_at ?? base.created_at,
        finished_at: now,
      },
    };
  }
  if (pending) {
    // Its submission may never have been acknowledged: hold it rather than run it unasked.
    return {
      kind: "held",
      job: {
        ...base,
        state: "queued",
        latch: REBUILD_LATCH,
        error: "restored by a DB rebuild from a submission that may never have been " +
          `acknowledged: \`barn release ${REBUILD_LATCH}\` runs it, \`barn kill\` drops it`,
      },
    };
  }
  return { kind: "restored", job: { ...base, state: "queued" } };
}

/**
 * What a restored queued job still waits for: each job of its `after` that was not restored
 * as succeeded. A dependency with no dir at all was cleaned, which only happens to finished
 * jobs, and a failed one would have canceled this job (its exit.json says so): it succeeded.
 * Failed, canceled and unrestorable dependencies stay, for Store.settleDependencies to cancel.
 */
export function waitingAfterRebuild(
  job: Job,
  stateOf: (id: string) => JobState | "unrestored" | "absent",
): string[] {
  if (job.state !== "queued") return [];
  return job.after.filter((id) => {
    const s = stateOf(id);
    return s !== "succeeded" && s !== "absent";
  });
}
