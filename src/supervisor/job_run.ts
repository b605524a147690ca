/** Supervises one job: spawn, own its pipes, wait, record the exact exit status atomically, kill on request. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import type { Config } from "../config/config.ts";
import { allowedCommands } from "../config/config.ts";
import type { Job, SupervisorKind } from "../jobs/job.ts";
import type { ExitInfo, StopReason } from "../jobs/transitions.ts";
import { checkAllowed } from "../jobs/policy.ts";
import { type ExitFile, readStopRequest, tryLockJob, writeExitFile } from "../store/job_dir.ts";
import type { Store } from "../store/store.ts";
import { signalGroup, spawnJob } from "../platform/process.ts";
import { CappedLog } from "./log_writer.ts";
import { MediaMonitor } from "../media/monitor.ts";
import { CurlRedactor } from "../media/curl_redact.ts";
import type { Progress } from "../jobs/job.ts";

export interface SuperviseOptions {
  store: Store;
  config: Config;
  kind: SupervisorKind;
  /** Called once the process runs (or failed to start). */
  onStarted?: (job: Job) => void;
}

/** One supervised job run; `done` settles with the final record. */
export class JobRun {
  readonly done: Promise<Job>;
  #child: Deno.ChildProcess | null = null;
  #stop: StopReason | null = null;
  #exited = false;
  #killTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly jobId: string, private opts: SuperviseOptions) {
    this.done = this.#run();
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Stops the whole process tree: SIGTERM now, SIGKILL after the grace period. */
  async stop(reason: StopReason): Promise<void> {
    if (this.#exited || this.#stop) return;
    this.#stop = reason;
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    await signalGroup(pid, "SIGTERM");
    this.#killTimer = setTimeout(() => {
      signalGroup(pid, "SIGKILL").catch(() => {});
    }, this.opts.config.kill_grace_seconds * 1000);
  }

  async #run(): Promise<Job> {
    const { store, config, kind } = this.opts;
    const queued = store.get(this.jobId);
    if (!queued) throw new BarnError("E_NOT_FOUND", `job ${this.jobId} vanished before it started`);
    const lock = tryLockJob(queued.job_dir);
    if (!lock) {
      throw new BarnError(
        "E_STATE",
        `job ${this.jobId} is already supervised by another barn process`,
      );
    }
    try {
      return await this.#supervise(store, config, kind);
    } finally {
      clearTimeout(this.#killTimer);
      lock.close();
    }
  }

  async #supervise(store: Store, config: Config, kind: SupervisorKind): Promise<Job> {
    // job.json is refreshed once the pid is known, a moment later: one snapshot instead of two.
    let job = store.apply(this.jobId, { type: "start", pid: null, supervisor: kind }, {
      snapshot: false,
    });

    // Progress reaches the DB at most once a second, the latest numbers always winning.
    let lastWrite = 0;
    let pendingProgress: Progress | null = null;
    let trailing: ReturnType<typeof setTimeout> | undefined;
    const flushProgress = () => {
      clearTimeout(trailing);
      trailing = undefined;
      lastWrite = Date.now();
      try {
        store.setProgress(this.jobId, pendingProgress, false);
      } catch { /* a busy or full DB must not stop the job; the next update retries */ }
    };
    const saveProgress = (p: Progress | null, force = false) => {
      pendingProgress = p;
      const wait = 1000 - (Date.now() - lastWrite);
      if (force || wait <= 0) flushProgress();
      else trailing ??= setTimeout(flushProgress, wait);
    };
    let monitor: MediaMonitor | null = null;
    try {
      checkAllowed(job.command, allowedCommands(config));
      monitor = MediaMonitor.start(job, config, (p) => saveProgress(p));
      this.#child = spawnJob({ command: monitor.argv, cwd: job.cwd });
    } catch (e) {
      monitor?.close();
      const failed = spawnFailure(job, e);
      this.#writeExit(job, { process_exit_code: null, signal: null, outcome: failed });
      job = store.apply(this.jobId, {
        type: "spawn_failed",
        code: failed.code,
        error: failed.error,
      });
      this.opts.onStarted?.(job);
      return job;
    }
    job = store.apply(this.jobId, { type: "pid", pid: this.#child.pid });
    this.opts.onStarted?.(job);
    if (this.#stop) await signalGroup(this.#child.pid, "SIGTERM");

    let timeout: ReturnType<typeof setTimeout> | undefined;
    if (job.timeout_seconds !== null) {
      timeout = setTimeout(() => {
        this.stop({
          code: "E_TIMEOUT",
          error: `job ran longer than its timeout of ${job.timeout_seconds}s and was stopped`,
        });
      }, job.timeout_seconds * 1000);
    }
    const out = new CappedLog(job.stdout_path, config.max_log_bytes);
    const err = new CappedLog(job.stderr_path, config.max_log_bytes);
    const m = monitor;
    // curl's -v (or --stderr -) prints the headers it sends; credentials among them are redacted.
    const redactor = () => job.command[0] === "curl" ? new CurlRedactor() : null;
    const pumps = Promise.all([
      pump(this.#child.stdout, out, (chunk) => m.observeStdout(chunk), redactor()),
      pump(this.#child.stderr, err, (chunk) => m.observeStderr(chunk), redactor()),
    ]);
    const stallTimer = m.stallSeconds > 0
      ? setInterval(() => {
        if (m.stalledFor() > m.stallSeconds) {
          this.stop({
            code: "E_STALLED",
            error:
              `no progress for ${m.stallSeconds}s (neither output time nor size advanced); stopped by the stall watchdog`,
          });
        }
      }, Math.min(1000, m.stallSeconds * 250))
      : undefined;
    // An --offline supervisor has no socket, so `barn kill` leaves it a request file.
    const watch = kind === "offline"
      ? setInterval(() => {
        const req = readStopRequest(job.job_dir);
        if (req) this.stop(req);
      }, 250)
      : undefined;
    const status = await this.#child.status;
    this.#exited = true;
    clearTimeout(timeout);
    clearInterval(watch);
    clearInterval(stallTimer);
    // A grandchild may keep the pipes open; don't wait on it forever.
    let drain: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([pumps, new Promise((r) => (drain = setTimeout(r, 2000)))]);
    clearTimeout(drain);

    out.close();
    err.close();
    if (this.#stop) {
      // The leader is gone; finish off anything left in its group.
      await signalGroup(this.#child.pid, "SIGKILL").catch(() => false);
    }
    m.close();
    if (m.latest) saveProgress(m.latest, true);
    clearTimeout(trailing);
    const verdict = this.#stop ? null : await m.afterExit(status.code, status.signal !== null);
    const info: ExitInfo = {
      process_exit_code: status.signal ? null : status.code,
      signal: status.signal ?? null,
      outcome: this.#stop ?? verdict ?? undefined,
      log_truncated: out.truncated || err.truncated,
    };
    this.#writeExit(job, info);
    return store.apply(this.jobId, { type: "exit", info });
  }

  #writeExit(job: Job, info: ExitInfo): void {
    const file: ExitFile = { job_id: job.job_id, finished_at: new Date().toISOString(), ...info };
    // On failure the DB write that follows still records it; only a crash in between would lose it.
    writeExitFile(job.job_dir, file);
  }
}

function spawnFailure(
  job: Job,
  e: unknown,
): StopReason & { code: "E_SPAWN" | "E_NOT_ALLOWED" | "E_SANDBOX" } {
  const name = excerpt(job.command[0] ?? "");
  if (e instanceof BarnError && e.code === "E_NOT_ALLOWED") {
    return { code: "E_NOT_ALLOWED", error: e.message };
  }
  if (e instanceof Deno.errors.NotFound) {
    return {
      code: "E_SPAWN",
      error:
        `cannot start '${name}': not found on PATH (install it, e.g. apt-get install ffmpeg curl)`,
    };
  }
  if (e instanceof Deno.errors.NotCapable) {
    return {
      code: "E_SANDBOX",
      error: `cannot start '${name}': barn's sandbox refused it (see docs/security.md)`,
    };
  }
  if (e instanceof Deno.errors.NotADirectory || e instanceof Deno.errors.PermissionDenied) {
    return {
      code: "E_SPAWN",
      error: `cannot start '${name}' in ${excerpt(job.cwd)}: ${excerpt((e as Error).message)}`,
    };
  }
  const why = e instanceof BarnError ? e.message : excerpt((e as Error).message, 200);
  return { code: "E_SPAWN", error: `cannot start '${name}': ${why}` };
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  log: CappedLog,
  observe: (chunk: Uint8Array) => void,
  filter: CurlRedactor | null,
): Promise<void> {
  try {
    for await (const chunk of stream) {
      log.write(filter ? filter.push(chunk) : chunk);
      observe(chunk);
    }
  } catch {
    // The pipe broke; the exit status still tells what happened.
  }
  if (filter) log.write(filter.end());
}
