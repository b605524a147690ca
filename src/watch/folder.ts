/**
 * One watch folder (`WatchFolder`): JobSpec files dropped into pending/ run clip by clip as barn jobs,
 * and end in completed/ or failed/ with a result file. Moves are atomic renames; nothing is
 * guessed, resumed or overwritten. Deno.watchFs reacts at once; a poll is the safety net.
 */

import { excerpt } from "../escape.ts";
import { join } from "../platform/path.ts";
import { BarnError } from "../errors.ts";
import type { Backend } from "../client/backend.ts";
import { ensureWorkDir } from "../platform/home_layout.ts";
import { makeDirsInside } from "../platform/sandbox_path.ts";
import { exists, openPrivateFile, readText, readTextIfExists } from "../platform/files.ts";
import { type JobSpecResult, recoveredResult, type RecoveryInfo, seconds } from "./result.ts";
import { freeName, now, resultPath, writeResult } from "./result_file.ts";
import { executeJobSpec, type Outcome, type RunJob } from "./execute_jobspec.ts";

// Callers load this module lazily; it hands them the service's way to run a clip too.
export { serviceRunJob } from "./execute_jobspec.ts";

export const FOLDERS = ["pending", "running", "completed", "failed"] as const;

export interface WatchOptions {
  folder: string;
  pollSeconds: number;
  once: boolean;
  backend: () => Promise<Backend>;
  log: (msg: string) => void;
  signal: AbortSignal;
  /** The two looks of the completeness check are this far apart. */
  stableMs?: number;
  /** Called before recovery, e.g. to settle jobs whose --offline supervisor died with us. */
  beforeRecovery?: () => Promise<void>;
  /** Runs one clip job to its end; `submitted` gets its id as soon as it exists. */
  runJob: RunJob;
}

export interface WatchState {
  folder: string;
  state: "watching" | "stopped" | "error";
  processed: number;
  current: string | null;
  error: string | null;
}

/** Takes the folder's runner lock, or explains who holds it. */
export function lockFolder(folder: string): Deno.FsFile {
  const path = join(folder, ".barn-watch.lock");
  const f = openPrivateFile(path, { read: true });
  if (!f.tryLockSync(true)) {
    f.close();
    const holder = readTextIfExists(path)?.trim();
    throw new BarnError(
      "E_BUSY",
      `another barn watch runner already serves ${excerpt(folder)}${
        holder ? ` (${holder})` : ""
      }; ` +
        "stop it first (a folder has one runner: standalone or in the service)",
    );
  }
  f.truncateSync(0);
  f.writeSync(new TextEncoder().encode(`pid ${Deno.pid}, since ${now()}\n`));
  return f;
}

export class WatchFolder {
  readonly status: WatchState;
  #wake: (() => void) | null = null;
  /** A file event came since the last scan began. */
  #dirty = false;
  /** The folder as realPath resolved it, below the sandbox root: every path is built on it. */
  #folder: string;

  constructor(private opts: WatchOptions) {
    this.#folder = opts.folder;
    this.status = {
      folder: opts.folder,
      state: "watching",
      processed: 0,
      current: null,
      error: null,
    };
  }

  /** Runs until aborted (or, with `once`, until pending/ holds nothing complete). */
  async run(): Promise<void> {
    const folder = this.#folder = makeDirsInside(this.opts.folder, "watch folder");
    for (const d of FOLDERS) ensureWorkDir(join(folder, d));
    const lock = lockFolder(folder);
    let watcher: Deno.FsWatcher | null = null;
    try {
      await this.opts.beforeRecovery?.();
      await this.#recover();
      if (!this.opts.once) {
        watcher = Deno.watchFs(join(folder, "pending"), { recursive: false });
        this.#pumpEvents(watcher);
      }
      for (;;) {
        this.#dirty = false;
        const handled = await this.#scan();
        if (this.opts.once && handled === 0) break;
        if (this.opts.signal.aborted) break;
        if (handled > 0) continue;
        await this.#sleep(this.opts.pollSeconds * 1000);
        if (this.opts.signal.aborted) break;
      }
      this.status.state = "stopped";
    } catch (e) {
      this.status.state = "error";
      this.status.error = (e as Error).message;
      throw e;
    } finally {
      watcher?.close();
      lock.close();
    }
  }

  async #pumpEvents(w: Deno.FsWatcher): Promise<void> {
    try {
      for await (const _ of w) {
        // An event during a scan must not be lost: the next sleep then ends at once.
        this.#dirty = true;
        this.#wake?.();
      }
    } catch { /* closed */ }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#dirty) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.opts.signal.removeEventListener("abort", done);
        this.#wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.#wake = done;
      this.opts.signal.addEventListener("abort", done);
    });
  }

  /** JobSpec candidates in pending/, sorted by name. */
  #candidates(): string[] {
    const names: string[] = [];
    for (const e of Deno.readDirSync(join(this.#folder, "pending"))) {
      if (
        e.isFile && e.name.endsWith(".json") && !e.name.endsWith(".result.json") &&
        !e.name.startsWith(".")
      ) {
        names.push(e.name);
      }
    }
    return names.sort();
  }

  /** Processes every complete candidate, in name order; returns how many. */
  async #scan(): Promise<number> {
    const names = this.#candidates();
    if (names.length === 0) return 0;
    const stable = await this.#stableSet(names);
    let n = 0;
    for (const name of names) {
      if (this.opts.signal.aborted) break;
      if (!stable.has(name)) {
        this.opts.log(`${name}: still being written; left alone for now`);
        continue;
      }
      await this.#process(name);
      n++;
    }
    return n;
  }

  /** The names whose size and mtime hold still across two looks, one interval apart. */
  async #stableSet(names: string[]): Promise<Set<string>> {
    const look = (name: string) => {
      try {
        const s = Deno.lstatSync(join(this.#folder, "pending", name));
        return `${s.size}:${s.mtime?.getTime()}`;
      } catch {
        return null;
      }
    };
    const first = new Map(names.map((n) => [n, look(n)]));
    await new Promise((r) => setTimeout(r, this.opts.stableMs ?? 500));
    return new Set(names.filter((n) => first.get(n) !== null && look(n) === first.get(n)));
  }

  async #process(name: string): Promise<void> {
    const folder = this.#folder;
    const runningName = freeName(join(folder, "running"), name);
    const runningPath = join(folder, "running", runningName);
    try {
      Deno.renameSync(join(folder, "pending", name), runningPath);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return; // taken meanwhile
      throw e;
    }
    this.status.current = runningName;
    this.opts.log(`${name}: running`);
    const startedAt = now();
    let result: Outcome;
    try {
      result = await executeJobSpec(runningPath, runningName, { ...this.opts, folder });
    } catch (e) {
      result = {
        job_id: null,
        final_status: "FAILED",
        failure_reason: `the runner failed: ${(e as Error).message}`,
        errors: [(e as Error).message],
        clips: [],
        partial_outputs: [],
      };
    }
    await this.#finish(runningPath, runningName, { ...result, started_at: startedAt });
    this.status.current = null;
    this.status.processed++;
  }

  /** Moves the JobSpec to its final folder, then writes its result next to it (atomically). */
  #finish(
    runningPath: string,
    runningName: string,
    r: Omit<JobSpecResult, "_metadata" | "completed_at" | "duration_seconds">,
  ): void {
    const dest = join(this.#folder, r.final_status === "COMPLETED" ? "completed" : "failed");
    const finalName = freeName(dest, runningName);
    const finalPath = join(dest, finalName);
    Deno.renameSync(runningPath, finalPath);
    writeResult(finalPath, {
      ...r,
      completed_at: now(),
      duration_seconds: seconds(r.started_at, now()),
    });
    this.opts.log(
      `${runningName}: ${r.final_status}${r.failure_reason ? ` (${r.failure_reason})` : ""}`,
    );
  }

  /** Everything left in running/ is failed with a _recovery block; its barn jobs are stopped. */
  async #recover(): Promise<void> {
    const folder = this.#folder;
    const running = join(folder, "running");
    for (const e of Deno.readDirSync(running)) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      const original = join(running, e.name);
      const sidecar = join(running, `.${e.name}.barn-jobs`);
      let ids: string[] = [];
      try {
        ids = (readTextIfExists(sidecar, "job list") ?? "").split("\n").filter(Boolean);
      } catch (err) {
        this.opts.log(`${e.name}: ${(err as Error).message}; its jobs are left alone`);
      }
      const barnJobs: RecoveryInfo["barn_jobs"] = [];
      if (ids.length) {
        const backend = await this.opts.backend();
        for (const id of ids) barnJobs.push(await settleJob(backend, id));
      }
      try {
        Deno.removeSync(sidecar);
      } catch { /* none */ }
      const at = now();
      let jobId: string | null = null;
      try {
        jobId = (JSON.parse(readText(original, "JobSpec")) as { job_id?: string }).job_id ?? null;
      } catch { /* unreadable */ }
      const finalName = freeName(join(folder, "failed"), e.name);
      Deno.renameSync(original, join(folder, "failed", finalName));
      writeResult(
        join(folder, "failed", finalName),
        recoveredResult({
          jobId,
          status: "FAILED",
          reason: "runner interrupted",
          errors: ["runner interrupted"],
          originalPath: original,
          barnJobs,
        }, at),
      );
      this.opts.log(`${e.name}: recovered from running/ into failed/ (runner interrupted)`);
    }
    // A JobSpec that reached its final folder without a result (a crash in between) gets one now.
    for (const d of ["completed", "failed"]) {
      for (const e of Deno.readDirSync(join(folder, d))) {
        if (!e.isFile || !e.name.endsWith(".json") || e.name.endsWith(".result.json")) continue;
        const p = join(folder, d, e.name);
        if (exists(resultPath(p))) continue;
        writeResult(
          p,
          recoveredResult({
            jobId: null,
            status: d === "completed" ? "COMPLETED" : "FAILED",
            reason: "result missing after an interrupted runner",
            errors: [],
            originalPath: p,
            barnJobs: [],
          }, now()),
        );
      }
    }
  }
}

/** Stops a JobSpec's barn job that outlived its runner, or reports how it ended. */
async function settleJob(backend: Backend, id: string): Promise<RecoveryInfo["barn_jobs"][number]> {
  try {
    const { job } = await backend.request({ kind: "describe", id, lines: 0 });
    if (job.state === "queued" || job.state === "running") {
      const { job: k } = await backend.request({ kind: "kill", id });
      return {
        barn_job_id: id,
        state: k.state,
        exit_code: k.exit_code,
        action: "canceled by the recovery",
      };
    }
    return {
      barn_job_id: id,
      state: job.state,
      exit_code: job.exit_code,
      action: "had already ended",
    };
  } catch (e) {
    return {
      barn_job_id: id,
      state: "unknown",
      exit_code: null,
      action: `could not be reached: ${(e as Error).message}`,
    };
  }
}
