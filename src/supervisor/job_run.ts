/** Supervises one job: spawn, own its pipes, wait, record the exact exit status atomically, kill on request. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import type { Config } from "../config/config.ts";
import { allowedCommands } from "../config/config.ts";
import type { Job, SupervisorKind } from "../jobs/job.ts";
import { type ExitInfo, type JobEvent, type StopReason, transition } from "../jobs/transitions.ts";
import { checkAllowed, mayFork } from "../jobs/policy.ts";
import {
  type ExitFile,
  readStopRequest,
  tryLockJob,
  writeExitFileThroughLock,
} from "../store/job_dir.ts";
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
  /** Called once the process runs (or the job ended before it could). */
  onStarted?: (job: Job) => void;
  /** Where a supervisor says what it could not do (the keeper's log). */
  log?: (message: string) => void;
}

/** How often a supervisor retries recording an exit the DB refused (busy, full). */
const RECORD_RETRY_MS = 2000;

/**
 * One supervised job run; `done` settles with the final record. It rejects only when the job
 * could not be started at all (it stays queued): E_STATE when another supervisor has it,
 * E_START_FAILED when its files could not be made, or a store error.
 */
export class JobRun {
  readonly done: Promise<Job>;
  #child: Deno.ChildProcess | null = null;
  #stop: StopReason | null = null;
  #exited = false;
  #killTimer: ReturnType<typeof setTimeout> | undefined;
  #ownSession = false;

  constructor(readonly jobId: string, private opts: SuperviseOptions) {
    this.done = this.#run();
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Stops the job (its whole tree if it has a session): SIGTERM now, SIGKILL after the grace period. Never rejects. */
  async stop(reason: StopReason): Promise<void> {
    if (this.#exited || this.#stop) return;
    this.#stop = reason;
    if (!this.#child) return; // signalled as soon as it is spawned
    await this.#signal("SIGTERM");
    this.#killTimer = setTimeout(() => {
      this.#signal("SIGKILL");
    }, this.opts.config.kill_grace_seconds * 1000);
  }

  /**
   * A job in a session of its own is signalled as a group (kill(1)); any other through its
   * child handle, which cannot hit a reused pid: the child is not reaped until we read its
   * status. A signal that cannot be sent (EMFILE, an exited child) is logged, never thrown.
   */
  async #signal(sig: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      if (this.#ownSession) await signalGroup(child.pid, sig);
      else if (!this.#exited) child.kill(sig);
    } catch (e) {
      this.opts.log?.(`job ${this.jobId}: could not send ${sig}: ${(e as Error).message}`);
    }
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
      return await this.#supervise(store, config, kind, queued, lock);
    } finally {
      clearTimeout(this.#killTimer);
      lock.close();
    }
  }

  async #supervise(
    store: Store,
    config: Config,
    kind: SupervisorKind,
    queued: Job,
    lock: Deno.FsFile,
  ): Promise<Job> {
    // The job's own files come first: if they can't be made, nothing is started.
    const out = new CappedLog(queued.stdout_path, config.max_log_bytes);
    let err: CappedLog;
    try {
      err = new CappedLog(queued.stderr_path, config.max_log_bytes);
    } catch (e) {
      out.close();
      throw e;
    }
    let job: Job;
    try {
      job = store.apply(this.jobId, {
        type: "start",
        pid: null,
        supervisor: kind,
        supervisor_pid: Deno.pid,
      });
    } catch (e) {
      out.close();
      err.close();
      throw e;
    }

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
      // Under the keeper (no terminal), a one-process tool needs no session of its own.
      this.#ownSession = kind === "offline" || mayFork(job.command);
      this.#child = spawnJob({
        jobId: job.job_id,
        command: monitor.argv,
        cwd: job.cwd,
        ownSession: this.#ownSession,
      });
    } catch (e) {
      monitor?.close();
      out.close();
      err.close();
      const failed = spawnFailure(job, e);
      const info: ExitInfo = { process_exit_code: null, signal: null, outcome: failed };
      const written = this.#writeExit(job, info, lock);
      job = await this.#record(
        { type: "spawn_failed", code: failed.code, error: failed.error },
        written,
      );
      this.opts.onStarted?.(job);
      return job;
    }
    try {
      // One guarded UPDATE (no transaction, no read): the start before the spawn committed the rest.
      store.setPid(this.jobId, this.#child.pid);
      job = transition(job, { type: "pid", pid: this.#child.pid }, new Date().toISOString());
    } catch (e) {
      // The process runs either way; its pid is a diagnostic, and its exit is recorded below.
      this.opts.log?.(
        `job ${this.jobId}: could not record pid ${this.#child.pid}: ${(e as Error).message}`,
      );
    }
    this.opts.onStarted?.(job);
    if (this.#stop) await this.#signal("SIGTERM");

    let timeout: ReturnType<typeof setTimeout> | undefined;
    if (job.timeout_seconds !== null) {
      timeout = setTimeout(() => {
        this.stop({
          code: "E_TIMEOUT",
          error: `job ran longer than its timeout of ${job.timeout_seconds}s and was stopped`,
        });
      }, job.timeout_seconds * 1000);
    }
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
    if (this.#stop && this.#ownSession) {
      // The leader is gone; finish off anything left in its group.
      await this.#signal("SIGKILL");
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
    const written = this.#writeExit(job, info, lock);
    return await this.#record({ type: "exit", info }, written);
  }

  /** exit.json first: if the DB write that follows is lost to a crash, the exit is not. */
  #writeExit(job: Job, info: ExitInfo, lock: Deno.FsFile): boolean {
    const file: ExitFile = {
      job_id: job.job_id,
      finished_at: new Date().toISOString(),
      started_at: job.started_at,
      pid: job.pid,
      ...info,
    };
    return writeExitFileThroughLock(lock, job.job_dir, file);
  }

  /**
   * Records the end in the DB, retrying while it is busy or full: the supervisor keeps the job's
   * lock meanwhile, so the job is never settled as interrupted while its exit is known here.
   */
  async #record(event: JobEvent, exitWritten: boolean): Promise<Job> {
    for (let attempt = 1;; attempt++) {
      try {
        return this.opts.store.apply(this.jobId, event, { exitWritten });
      } catch (e) {
        // Only a busy or full store is worth waiting for; anything else will not get better.
        const transient = e instanceof BarnError &&
          (e.code === "E_STORE_BUSY" || e.code === "E_DISK_FULL");
        if (!transient) throw e;
        if (attempt === 1 || attempt % 30 === 0) {
          this.opts.log?.(
            `job ${this.jobId}: could not record its end yet (${(e as Error).message}); retrying`,
          );
        }
        await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
      }
    }
  }
}

function spawnFailure(
  job: Job,
  e: unknown,
): StopReason & { code: "E_SPAWN" | "E_NOT_ALLOWED" | "E_SANDBOX" | "E_START_FAILED" } {
  const name = excerpt(job.command[0] ?? "");
  if (e instanceof BarnError && (e.code === "E_NOT_ALLOWED" || e.code === "E_START_FAILED")) {
    return { code: e.code, error: e.message };
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

/** A pipe's read buffer: one per pipe for the job's life, handed back by every read. */
const PUMP_BUFFER = 16 * 1024;

/**
 * Drains one pipe into its log through a BYOB reader and one reused buffer: `for await` allocates a
 * chunk per read and costs the keeper ~0.1 ms more per job (docs/performance.md). Every consumer of
 * a chunk (the log, the redactor, the monitor) is done with it before the next read overwrites it.
 */
async function pump(
  stream: ReadableStream<Uint8Array>,
  log: CappedLog,
  observe: (chunk: Uint8Array) => void,
  filter: CurlRedactor | null,
): Promise<void> {
  try {
    const reader = stream.getReader({ mode: "byob" });
    let buf = new Uint8Array(PUMP_BUFFER);
    for (;;) {
      const { done, value } = await reader.read(buf);
      if (done || !value) break;
      log.write(filter ? filter.push(value) : value);
      observe(value);
      buf = new Uint8Array(value.buffer);
    }
  } catch {
    // The pipe broke; the exit status still tells what happened.
  }
  if (filter) log.write(filter.end());
}
