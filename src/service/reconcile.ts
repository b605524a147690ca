/** Settles running jobs whose supervisor may be gone: collect a recorded exit, or end them E_INTERRUPTED. */

import type { Job } from "../jobs/job.ts";
import { readExitFile, tryLockJob } from "../store/job_dir.ts";
import { groupAlive, processIdentity, signalGroup } from "../platform/process.ts";
import type { Store } from "../store/store.ts";

export interface ReconcileResult {
  alive: Job[];
  collected: Job[];
  interrupted: Job[];
}

/**
 * Kills what is left of a job whose supervisor died, but only after checking the
 * process is still ours: same group, started when the job did.
 */
async function killOrphan(job: Job, log: (m: string) => void): Promise<string> {
  const pid = job.pid;
  if (pid === null) return "it had not started a process yet";
  if (!(await groupAlive(pid))) return "its process had already ended";
  const id = await processIdentity(pid);
  const started = job.started_at ? new Date(job.started_at).getTime() : NaN;
  if (id && (id.pgid !== pid || Math.abs(id.startedAt.getTime() - started) > 2500)) {
    log(`job ${job.job_id}: pid ${pid} now belongs to another process; not signalling it`);
    return `its pid ${pid} now belongs to an unrelated process, which was left alone`;
  }
  await signalGroup(pid, "SIGTERM");
  for (let i = 0; i < 20 && await groupAlive(pid); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (await groupAlive(pid)) await signalGroup(pid, "SIGKILL");
  return "its leftover processes were killed";
}

export async function reconcile(store: Store, log: (m: string) => void): Promise<ReconcileResult> {
  const out: ReconcileResult = { alive: [], collected: [], interrupted: [] };
  for (const job of store.list({ state: "running" })) {
    const lock = tryLockJob(job.job_dir);
    if (!lock) {
      out.alive.push(job);
      continue;
    }
    try {
      const exit = readExitFile(job.job_dir);
      if (exit !== null) {
        const done =
          exit.outcome && ["E_SPAWN", "E_NOT_ALLOWED", "E_SANDBOX"].includes(exit.outcome.code) &&
            exit.process_exit_code === null && exit.signal === null
            ? store.apply(job.job_id, {
              type: "spawn_failed",
              code: exit.outcome.code as "E_SPAWN",
              error: exit.outcome.error,
            })
            : store.apply(job.job_id, { type: "exit", info: exit });
        log(
          `job ${job.job_id}: collected its exit (${done.exit_code}) recorded while no service was watching`,
        );
        out.collected.push(done);
        continue;
      }
      const what = await killOrphan(job, log);
      const done = store.apply(job.job_id, {
        type: "interrupted",
        error:
          `its supervisor died without recording an exit status (crash, SIGKILL or reboot); ${what}`,
      });
      log(`job ${job.job_id}: interrupted (${what})`);
      out.interrupted.push(done);
    } finally {
      lock.close();
    }
  }
  return out;
}
