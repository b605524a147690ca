/**
 * Settles running jobs whose supervisor is gone: collect a recorded exit, or end them
 * E_INTERRUPTED. It is lock-based and idempotent: a job whose supervisor holds its lock is alive,
 * whatever its heartbeat says (heartbeats can fail on a busy or full disk; they are diagnostics).
 */

import { BarnError } from "../errors.ts";
import type { Job } from "../jobs/job.ts";
import { type ExitFile, readExitFile, tryLockJob } from "../store/job_dir.ts";
import {
  groupAlive,
  pidAlive,
  pidsOfJob,
  processIdentity,
  signalGroup,
  signalPid,
} from "../platform/process.ts";
import { orphanVerdict } from "../supervisor/orphan.ts";
import type { Store } from "../store/store.ts";

export interface ReconcileResult {
  alive: Job[];
  collected: Job[];
  interrupted: Job[];
}

/**
 * Kills what is left of a job whose supervisor died, but only after confirming the process is
 * still the job's: started when the job did, and either the leader of its own group (a job
 * spawned in a session of its own) or a child of the job's supervisor, or of init once that
 * supervisor died. No identity, no signal.
 */
async function killOrphan(job: Job, log: (m: string) => void): Promise<string> {
  if (job.pid !== null) return await killIdentified(job, job.pid, log);
  // A supervisor that died between the spawn and recording the pid: the process carries the id.
  const found = await pidsOfJob(job.job_id);
  if (found.length === 0) return "it had not started a process yet";
  const said: string[] = [];
  for (const pid of found) said.push(await killIdentified({ ...job, pid }, pid, log, true));
  return said.join("; ");
}

/** `marked`: the process is known to carry the job's BARN_JOB_ID (found by it). */
async function killIdentified(
  job: Job,
  pid: number,
  log: (m: string) => void,
  marked = false,
): Promise<string> {
  if (!(await pidAlive(pid)) && !(await groupAlive(pid))) return "its process had already ended";
  const id = await processIdentity(pid);
  if (id === null) {
    log(`job ${job.job_id}: pid ${pid} could not be identified; not signalling it`);
    return `its pid ${pid} could not be identified (ps gave no answer), so it was not signalled`;
  }
  let verdict = orphanVerdict(job, id, marked);
  if (!marked && verdict !== "group" && verdict !== "pid") {
    // Reparented to a subreaper rather than init: the job's id in its environment still names it.
    verdict = orphanVerdict(job, id, (await pidsOfJob(job.job_id)).includes(pid));
  }
  if (verdict !== "group" && verdict !== "pid") {
    log(`job ${job.job_id}: pid ${pid} is not the job's (${verdict}); not signalling it`);
    return `its pid ${pid} now belongs to an unrelated process, which was left alone (${verdict})`;
  }
  const signal = verdict === "group" ? signalGroup : signalPid;
  const alive = verdict === "group" ? groupAlive : pidAlive;
  await signal(pid, "SIGTERM");
  for (let i = 0; i < 20 && await alive(pid); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (await alive(pid)) await signal(pid, "SIGKILL");
  return "its leftover processes were killed";
}

/**
 * The job's exit.json; null when there is none, or when what is there is not a file barn could
 * have written (a FIFO or a link out of the sandbox, refused with E_SANDBOX; a dir). Such a job is settled
 * as interrupted rather than left `running` at every pass; other read errors may pass, and throw.
 */
function readableExit(job: Job, log: (m: string) => void): ExitFile | null {
  try {
    return readExitFile(job.job_dir);
  } catch (e) {
    const notBarns = (e instanceof BarnError && e.code === "E_SANDBOX") ||
      e instanceof Deno.errors.IsADirectory;
    if (!notBarns) throw e;
    log(`job ${job.job_id}: its exit.json is not barn's (${e.message}); ended as interrupted`);
    return null;
  }
}

/** Settles one job under its lock; null when it is alive or no longer running. */
async function settle(
  store: Store,
  id: string,
  log: (m: string) => void,
): Promise<{ kind: "alive" | "collected" | "interrupted"; job: Job } | null> {
  const listed = store.get(id);
  if (!listed || listed.state !== "running") return null;
  let lock: Deno.FsFile | null;
  try {
    lock = tryLockJob(listed.job_dir);
  } catch (e) {
    log(`job ${id}: cannot take its lock to check it (${(e as Error).message}); left running`);
    return { kind: "alive", job: listed };
  }
  if (!lock) return { kind: "alive", job: listed };
  try {
    // Re-read under the lock: the job may have ended between the listing and now.
    const job = store.get(id);
    if (!job || job.state !== "running") return null;
    const exit = readableExit(job, log);
    if (exit !== null) {
      const noProcess = exit.outcome && exit.process_exit_code === null && exit.signal === null &&
        ["E_SPAWN", "E_NOT_ALLOWED", "E_SANDBOX", "E_START_FAILED"].includes(exit.outcome.code);
      const done = noProcess
        ? store.apply(id, {
          type: "spawn_failed",
          code: exit.outcome!.code as "E_SPAWN",
          error: exit.outcome!.error,
        }, { exitWritten: true })
        : store.apply(id, { type: "exit", info: exit }, { exitWritten: true });
      log(
        `job ${id}: collected its exit (${done.exit_code}) recorded while no service was watching`,
      );
      return { kind: "collected", job: done };
    }
    const what = await killOrphan(job, log);
    const done = store.apply(id, {
      type: "interrupted",
      error:
        `its supervisor died without recording an exit status (crash, SIGKILL or reboot); ${what}`,
    });
    log(`job ${id}: interrupted (${what})`);
    return { kind: "interrupted", job: done };
  } finally {
    lock.close();
  }
}

/** Runs passes one at a time; a pass asked for while one runs joins it. */
export class Reconciler {
  #pass: Promise<ReconcileResult> | null = null;

  constructor(private store: Store, private log: (m: string) => void) {}

  run(): Promise<ReconcileResult> {
    this.#pass ??= this.#run().finally(() => (this.#pass = null));
    return this.#pass;
  }

  async #run(): Promise<ReconcileResult> {
    const out: ReconcileResult = { alive: [], collected: [], interrupted: [] };
    for (const { job_id } of this.store.list({ state: "running" })) {
      try {
        const r = await settle(this.store, job_id, this.log);
        if (r) out[r.kind].push(r.job);
      } catch (e) {
        // One job that cannot be settled now (busy DB, ended meanwhile) never stops the pass.
        if (!(e instanceof BarnError && e.code === "E_STATE")) {
          this.log(`job ${job_id}: could not be checked now: ${(e as Error).message}`);
        }
      }
    }
    return out;
  }
}

/** One pass, for callers without a standing reconciler (a standalone watch folder). */
export function reconcile(store: Store, log: (m: string) => void): Promise<ReconcileResult> {
  return new Reconciler(store, log).run();
}
