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
  /** exit.json is there but unreadable: the job ended, how is unknown, and it never runs again. */
  exitUnreadable = false,
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
        started_at: base.started_at ?? exit.started_at ?? null,
        pid: exit.pid ?? base.pid,
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
  if (started || exitUnreadable) {
    return {
      kind: "interrupted",
      job: {
        ...base,
        state: "failed",
        exit_code: "E_INTERRUPTED",
        error: exitUnreadable
          ? "restored by a DB rebuild: it had ended, and its exit.json is unreadable, so how " +
            "is unknown; `barn retry` runs it again"
          : "restored by a DB rebuild: it had started, and its supervisor left no exit " +
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

/**
 * Queued jobs that can never start because their `waiting_for` leads into a cycle of queued
 * jobs. Only job.json files edited by hand can make one (a submission refuses cycles, and a job
 * can only run after older ones). Each job that can still start is peeled off: what is left is
 * every job on a cycle or waiting on one.
 */
export function cycleBound(jobs: readonly Job[]): Set<string> {
  const queued = new Map(jobs.filter((j) => j.state === "queued").map((j) => [j.job_id, j]));
  const left = new Map<string, number>();
  const waiters = new Map<string, string[]>();
  const free: string[] = [];
  for (const j of queued.values()) {
    const on = j.waiting_for.filter((id) => queued.has(id));
    left.set(j.job_id, on.length);
    for (const id of on) waiters.set(id, [...(waiters.get(id) ?? []), j.job_id]);
    if (on.length === 0) free.push(j.job_id);
  }
  while (free.length > 0) {
    const id = free.pop()!;
    left.delete(id);
    for (const w of waiters.get(id) ?? []) {
      const n = left.get(w)! - 1;
      left.set(w, n);
      if (n === 0) free.push(w);
    }
  }
  return new Set(left.keys());
}

const isStrings = (v: unknown): boolean =>
  Array.isArray(v) && v.every((x) => typeof x === "string");
const isOpt = (v: unknown, type: "string" | "number"): boolean => v == null || typeof v === type;
/** An INTEGER column's value: node:sqlite throws on reading one past 2^53, which would fail every listing. */
const isOptInt = (v: unknown): boolean => v == null || Number.isSafeInteger(v);

/**
 * Why a parsed job.json cannot be restored (a shape barn never writes: edited or damaged by
 * hand), or null when it can. A rebuild leaves such a dir out and names it, never stops on it.
 */
export function snapshotProblem(snapshot: unknown, dirName: string): string | null {
  if (typeof snapshot !== "object" || snapshot === null || Array.isArray(snapshot)) {
    return "its job.json is not a JSON object";
  }
  const j = snapshot as Record<string, unknown>;
  if (j.job_id !== dirName) return `its job.json names job ${JSON.stringify(j.job_id)}`;
  const wrong: string[] = [];
  if (!isStrings(j.command) || (j.command as string[]).length === 0) wrong.push("command");
  for (const k of ["cwd", "created_at"]) if (typeof j[k] !== "string") wrong.push(k);
  for (const k of ["after", "notify_urls"]) {
    if (j[k] !== undefined && !isStrings(j[k])) wrong.push(k);
  }
  for (const k of ["tag", "key", "retry_of", "latch", "name", "group", "started_at"]) {
    if (!isOpt(j[k], "string")) wrong.push(k);
  }
  for (const k of ["timeout_seconds", "stall_timeout_seconds"]) {
    if (!isOpt(j[k], "number")) wrong.push(k);
  }
  for (const k of ["pid", "supervisor_pid", "process_exit_code"]) {
    if (!isOptInt(j[k])) wrong.push(k);
  }
  if (j.meta != null && (typeof j.meta !== "object" || Array.isArray(j.meta))) wrong.push("meta");
  return wrong.length ? `its job.json has a bad ${wrong.join(", ")}` : null;
}

/** exit.json as barn writes it, or null when it is not that shape (then the job's end is unknown). */
export function usableExit(exit: unknown): ExitFile | null {
  if (typeof exit !== "object" || exit === null || Array.isArray(exit)) return null;
  const e = exit as Record<string, unknown>;
  if (typeof e.finished_at !== "string") return null;
  if (!isOptInt(e.process_exit_code) || !isOpt(e.signal, "string")) return null;
  if (!isOpt(e.started_at, "string") || !isOptInt(e.pid)) return null;
  const final = e.final as Record<string, unknown> | undefined;
  if (
    final !== undefined &&
    (typeof final !== "object" || final === null ||
      !["succeeded", "failed", "canceled"].includes(final.state as string) ||
      !(final.exit_code === null || ["number", "string"].includes(typeof final.exit_code)) ||
      !isOpt(final.error, "string"))
  ) return null;
  const outcome = e.outcome as Record<string, unknown> | undefined;
  if (
    outcome !== undefined &&
    (typeof outcome !== "object" || outcome === null || typeof outcome.code !== "string" ||
      typeof outcome.error !== "string")
  ) return null;
  return {
    ...(e as unknown as ExitFile),
    process_exit_code: (e.process_exit_code as number | null | undefined) ?? null,
    signal: (e.signal as string | null | undefined) ?? null,
  };
}
