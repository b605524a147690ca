/** New rows: a submission (ids, job dirs, secrets, dependencies, the snapshot or batch journal before the commit), the submissions a crash cut, restored records. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import { isFinished, type Job, type JobSpec } from "../jobs/job.ts";
import { newJobId } from "../jobs/ids.ts";
import { groupOf } from "../jobs/groups.ts";
import { planDependencies } from "../jobs/dependencies.ts";
import { withCurlConfigs } from "../media/curl_secrets.ts";
import type { Row } from "./db.ts";
import {
  commitSnapshot,
  createJobDir,
  finishRemoval,
  jobDirFields,
  readSnapshot,
  removeJobDir,
  REMOVING_SUFFIX,
  writePendingSnapshot,
  writeSecret,
} from "./job_dir.ts";
import { afterEnd } from "./job_deps.ts";
import { commitBatch, dropBatch, readBatches, writePendingBatch } from "./batch_journal.ts";
import { getJob, insertRow, jobOfRow, nowIso, resolveJob, type StoreBase } from "./job_rows.ts";
import { ROW_COLUMNS } from "./rows.ts";
import { enqueue } from "./outbox.ts";

/** A fresh record for `spec`: a new id, a private job dir, queued. */
function newJob(s: StoreBase, spec: JobSpec, now: string): Job {
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = newJobId();
    const dir = s.paths.jobDir(id);
    if (!createJobDir(dir)) continue;
    if (s.db.stmt("SELECT 1 FROM jobs WHERE job_id = ?").get(id)) continue;
    const curl = spec.secrets?.curl_configs ?? [];
    const command = withCurlConfigs(
      spec.command,
      curl,
      curl.map((c, i) => writeSecret(dir, `curl-${i + 1}.conf`, c.text)),
    );
    if (spec.secrets?.dav_auth) {
      writeSecret(dir, "dav.json", JSON.stringify(spec.secrets.dav_auth));
    }
    return {
      job_id: id,
      state: "queued",
      tag: spec.tag ?? null,
      command,
      cwd: spec.cwd,
      created_at: now,
      started_at: null,
      finished_at: null,
      exit_code: null,
      process_exit_code: null,
      signal: null,
      error: null,
      pid: null,
      heartbeat: null,
      supervisor: null,
      supervisor_pid: null,
      ...jobDirFields(dir),
      log_truncated: false,
      key: spec.key ?? null,
      retry_of: spec.retry_of ?? null,
      latch: spec.latch ?? null,
      name: spec.name ?? null,
      group: spec.group ?? groupOf(spec.command),
      after: [],
      waiting_for: [],
      timeout_seconds: spec.timeout_seconds ?? null,
      stall_timeout_seconds: spec.stall_timeout_seconds ?? null,
      verify: spec.verify ?? false,
      meta: spec.meta ?? null,
      progress: null,
      notify_urls: spec.notify_urls ?? [],
    };
  }
  throw new BarnError(
    "E_INTERNAL",
    "could not find an unused job id after 8 tries; retry the submission",
  );
}

/**
 * Stores new jobs in one transaction (synchronous=FULL when `durable`). A spec whose `key`
 * already exists returns the existing job with `duplicate: true` instead of a new one. Each job's
 * `after` names stored jobs or other specs of the same call (by label; a cycle is refused before
 * anything is stored); a job after one that already failed or was canceled is stored, then
 * canceled with E_DEPENDENCY at once, as if it had been submitted a moment earlier.
 */
export function submit(
  s: StoreBase,
  specs: readonly JobSpec[],
  durable: boolean,
): { job: Job; duplicate: boolean }[] {
  const plan = planDependencies(specs);
  const now = nowIso();
  const made: Job[] = [];
  let journal: string | null = null;
  let out: { job: Job; duplicate: boolean }[];
  try {
    out = s.db.tx(() => {
      const named = new Map<string, number>();
      const placed = specs.map((spec, i) => {
        if (spec.key) {
          const row = s.db.stmt(`SELECT ${ROW_COLUMNS} FROM jobs WHERE key = ?`).get(spec.key) as
            | Row
            | undefined;
          if (row) return { job: jobOfRow(s, row), duplicate: true };
        }
        if (spec.name) {
          refuseTakenName(s, spec.name, specs.length > 1 ? i : null);
          refuseNameTwice(named, spec.name, i);
        }
        const job = newJob(s, spec, now);
        made.push(job);
        return { job, duplicate: false };
      });
      const failedDeps: { job: Job; dep: Job }[] = [];
      const fresh = new Set(made.map((m) => m.job_id));
      placed.forEach((p, i) => {
        if (p.duplicate || plan[i]!.length === 0) return;
        const deps = plan[i]!.map((d) =>
          "line" in d ? placed[d.line]!.job : resolveIn(s, d.ref, specs.length > 1 ? i : null)
        );
        const after = [...new Set(deps.map((d) => d.job_id))];
        // A line of this submission is waited for whatever its state; a stored job only until it succeeded.
        p.job = {
          ...p.job,
          after,
          waiting_for: after.filter((id) =>
            fresh.has(id) || deps.find((d) => d.job_id === id)!.state !== "succeeded"
          ),
        };
        const failed = deps.find((d) =>
          !fresh.has(d.job_id) && (d.state === "failed" || d.state === "canceled")
        );
        if (failed) failedDeps.push({ job: p.job, dep: failed });
      });
      // Before the commit: every committed job can be rebuilt from its dir, or from its batch's
      // journal (one file for a batch, not one per job).
      const rows = placed.filter((p) => !p.duplicate).map((p) => p.job);
      if (rows.length > 1) journal = writePendingBatch(s.paths, rows);
      else if (rows.length === 1) writePendingSnapshot(rows[0]!);
      for (const job of rows) insertRow(s, job);
      for (const { job, dep } of failedDeps) afterEnd(s, dep, [job.job_id]);
      // Jobs canceled at once are returned as they now stand.
      return placed.map((p) =>
        p.duplicate || failedDeps.length === 0 ? p : { ...p, job: getJob(s, p.job.job_id)! }
      );
    }, { durable });
  } catch (e) {
    for (const j of made) removeJobDir(j.job_dir);
    if (journal !== null) dropBatch(journal);
    throw e;
  }
  try {
    if (journal !== null) commitBatch(journal);
    else if (made.length === 1) commitSnapshot(made[0]!.job_dir);
  } catch { /* settled by the next start's settlePendingSnapshots */ }
  return out;
}

/** A name is unique among unfinished jobs (an index keeps it so; this check gives the message). */
function refuseTakenName(s: StoreBase, name: string, line: number | null): void {
  const row = s.db.stmt(
    "SELECT job_id, state FROM jobs WHERE name = ? AND state IN ('queued', 'running')",
  ).get(name) as Row | undefined;
  if (row) {
    throw new BarnError(
      "E_EXISTS",
      `${line === null ? "" : `job ${line + 1}: `}the name '${excerpt(name)}' belongs to job ` +
        `${row.job_id}, which is still ${row.state}; names are unique among unfinished jobs ` +
        "(pick another, or wait for it to end)",
    );
  }
}

/** Two jobs of one submission can't share a name: the rows go in after every check. */
function refuseNameTwice(named: Map<string, number>, name: string, line: number): void {
  const first = named.get(name);
  if (first !== undefined) {
    throw new BarnError(
      "E_EXISTS",
      `job ${line + 1}: the name '${excerpt(name)}' is also given to job ${first + 1} of this ` +
        "submission; names are unique among unfinished jobs (give each job its own)",
    );
  }
  named.set(name, line);
}

/** `resolveJob` for a dependency, naming the batch line in its error. */
function resolveIn(s: StoreBase, ref: string, line: number | null): Job {
  try {
    return resolveJob(s, ref);
  } catch (e) {
    if (!(e instanceof BarnError) || line === null) throw e;
    throw new BarnError(e.code, `job ${line + 1}: after: ${e.message}`);
  }
}

/**
 * Settles snapshots left pending by a crash between a submission's snapshot and its answer:
 * committed jobs get their job.json, jobs the DB never committed lose their dir. Run at
 * start, before anything can submit. Returns how many of each.
 */
export function settlePendingSnapshots(s: StoreBase): { committed: number; dropped: number } {
  const out = { committed: 0, dropped: 0 };
  const known = s.db.stmt("SELECT 1 FROM jobs WHERE job_id = ?");
  for (const b of readBatches(s.paths)) {
    if (!b.pending) continue;
    // A batch is committed whole or not at all.
    if (b.jobs.some((j) => known.get(j.job_id))) {
      commitBatch(b.path);
      out.committed += b.jobs.length;
      continue;
    }
    for (const j of b.jobs) removeJobDir(s.paths.jobDir(j.job_id));
    dropBatch(b.path);
    out.dropped += b.jobs.length;
  }
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(s.paths.jobs)];
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory) continue;
    // A job dir whose removal was cut short: it left its id's name before anything went.
    if (e.name.endsWith(REMOVING_SUFFIX)) {
      finishRemoval(s.paths.jobDir(e.name.slice(0, -REMOVING_SUFFIX.length)));
      continue;
    }
    const dir = s.paths.jobDir(e.name);
    if (readSnapshot(dir, "pending") === null) continue;
    if (s.db.stmt("SELECT 1 FROM jobs WHERE job_id = ?").get(e.name)) {
      commitSnapshot(dir);
      out.committed++;
    } else {
      removeJobDir(dir);
      out.dropped++;
    }
  }
  return out;
}

/**
 * Puts back a record rebuilt from its job dir; false when its key is already taken (a conflict).
 * A finished job's notifications come back too: delivered where its dir says so, else pending
 * (at least once: the receiver de-duplicates on the delivery id, which is the same as before).
 */
export function restore(
  s: StoreBase,
  job: Job,
  delivered: ReadonlyMap<string, string> = new Map(),
): boolean {
  if (job.key !== null && s.db.stmt("SELECT 1 FROM jobs WHERE key = ?").get(job.key)) {
    return false;
  }
  insertRow(s, job);
  if (isFinished(job.state)) enqueue(s, job, job.finished_at ?? nowIso(), delivered);
  return true;
}
