/**
 * One watch folder (`WatchFolder`): JobSpec files dropped into pending/ run clip by clip as barn jobs,
 * and end in completed/ or failed/ with a result file. Moves are atomic renames; nothing is
 * guessed, resumed or overwritten. Deno.watchFs reacts at once; a poll is the safety net.
 */

import { excerpt, jsonErrorPlace } from "../escape.ts";
import { join } from "../platform/path.ts";
import { BarnError } from "../errors.ts";
import type { Backend } from "../client/backend.ts";
import type { Job, JobSpec } from "../jobs/job.ts";
import { ensureWorkDir, insideSandbox } from "../platform/home_layout.ts";
import { exists, readTextIfExists, writeFileAtomic } from "../platform/files.ts";
import { VERSION } from "../version.ts";
import { ffmpegArgv } from "./presets.ts";
import { resolveOutput, resolveSource, validateJobSpec } from "./jobspec.ts";
import {
  type ClipResult,
  type FinalStatus,
  type JobSpecResult,
  type RecoveryInfo,
  seconds,
} from "./result.ts";

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
  runJob: (spec: JobSpec, submitted: (id: string) => void) => Promise<Job>;
}

/** runJob through a service: submit, then wait (event-driven on the service side). */
export function serviceRunJob(
  backend: () => Promise<Backend>,
  signal: AbortSignal,
): WatchOptions["runJob"] {
  return async (spec, submitted) => {
    const b = await backend();
    const { jobs } = await b.request({ kind: "submit", jobs: [spec] });
    const id = jobs[0]!.job.job_id;
    submitted(id);
    return await waitJob(b, id, signal);
  };
}

export interface WatchState {
  folder: string;
  state: "watching" | "stopped" | "error";
  processed: number;
  current: string | null;
  error: string | null;
}

const now = () => new Date().toISOString();

/** A name in `dir` that no file has yet: `x.json`, else `x-<time>.json` (never overwrite). */
export function freeName(dir: string, file: string): string {
  if (!exists(join(dir, file))) return file;
  const stem = file.replace(/\.json$/, "");
  for (let i = 1;; i++) {
    const candidate = `${stem}-${now().replace(/[:.]/g, "-")}${i > 1 ? `-${i}` : ""}.json`;
    if (!exists(join(dir, candidate))) return candidate;
  }
}

/** Takes the folder's runner lock, or explains who holds it. */
export function lockFolder(folder: string): Deno.FsFile {
  const path = join(folder, ".barn-watch.lock");
  const f = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
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

  constructor(private opts: WatchOptions) {
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
    const { folder } = this.opts;
    if (!insideSandbox(folder)) {
      throw new BarnError(
        "E_SANDBOX",
        `watch folder ${
          excerpt(folder)
        } is outside barn's sandbox /tmp/barn (see docs/security.md)`,
      );
    }
    ensureWorkDir(folder);
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
      for await (const _ of w) this.#wake?.();
    } catch { /* closed */ }
  }

  #sleep(ms: number): Promise<void> {
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
    for (const e of Deno.readDirSync(join(this.opts.folder, "pending"))) {
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
        const s = Deno.statSync(join(this.opts.folder, "pending", name));
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
    const { folder } = this.opts;
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
    let result: Omit<
      JobSpecResult,
      "_metadata" | "completed_at" | "duration_seconds" | "started_at"
    >;
    try {
      result = await this.#execute(runningPath, runningName);
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

  /** Validates, checks, and runs the clips; fail-fast. */
  async #execute(
    path: string,
    name: string,
  ): Promise<
    Omit<JobSpecResult, "_metadata" | "completed_at" | "duration_seconds" | "started_at">
  > {
    const fail = (
      reason: string,
      errors: string[] = [reason],
      job_id: string | null = null,
      clips: ClipResult[] = [],
    ) => ({
      job_id,
      final_status: "PARTIAL" as FinalStatus,
      failure_reason: reason,
      errors,
      clips,
      partial_outputs: [],
    });
    let raw: unknown;
    try {
      raw = JSON.parse(Deno.readTextFileSync(path));
    } catch (e) {
      return fail(`invalid JSON: ${jsonErrorPlace(e) || "cannot parse it"}`);
    }
    const { spec, errors } = validateJobSpec(raw);
    if (!spec) {
      const id = (raw as { job_id?: unknown } | null)?.job_id;
      return fail(
        `invalid JobSpec: ${errors.join("; ")}`,
        errors,
        typeof id === "string" ? id : null,
      );
    }
    const base = this.opts.folder;
    const planned = spec.clips.map((c, i) => ({
      clip: c,
      source: resolveSource(c, base),
      output: resolveOutput(c, i, base),
    }));
    const skipped = (why: string | null = null): ClipResult[] =>
      planned.map((p) => ({
        source_path: p.source,
        resolved_output_path: p.output,
        preset: p.clip.preset,
        status: "SKIPPED",
        exit_code: null,
        output_exists: exists(p.output),
        output_size_bytes: null,
        ffmpeg_command: null,
        barn_job_id: null,
        started_at: null,
        completed_at: null,
        duration_seconds: null,
        failure_reason: why,
      }));
    const outside = planned.flatMap((p) => [p.source, p.output]).filter((p) => !insideSandbox(p));
    if (outside.length) {
      return fail(
        `paths outside barn's sandbox /tmp/barn (see docs/security.md): ${
          [...new Set(outside)].join(", ")
        }`,
        undefined,
        spec.job_id,
        skipped(),
      );
    }
    const missing = planned.map((p) => p.source).filter((s) => !exists(s));
    if (missing.length) {
      return fail(
        `Missing source files: ${[...new Set(missing)].join(", ")}`,
        undefined,
        spec.job_id,
        skipped(),
      );
    }
    const seen = new Map<string, number>();
    const dupes: string[] = [];
    planned.forEach((p, i) => {
      if (seen.has(p.output)) {
        dupes.push(`clips ${seen.get(p.output)! + 1} and ${i + 1} both write ${p.output}`);
      } else seen.set(p.output, i);
    });
    if (dupes.length) {
      return fail(`output name collision: ${dupes.join("; ")}`, dupes, spec.job_id, skipped());
    }
    const existing = planned.map((p) => p.output).filter(exists);
    if (existing.length) {
      return fail(
        `outputs already exist (barn never overwrites): ${existing.join(", ")}`,
        undefined,
        spec.job_id,
        skipped(),
      );
    }

    const backend = await this.opts.backend();
    const clips: ClipResult[] = skipped();
    const sidecar = join(this.opts.folder, "running", `.${name}.barn-jobs`);
    let failed: string | null = null;
    for (let i = 0; i < planned.length && !failed; i++) {
      const p = planned[i]!;
      ensurePrivateDirs(p.output);
      const argv = ffmpegArgv(p.source, p.output, p.clip.preset);
      const clipStart = now();
      const job = await this.opts.runJob(
        { command: argv, cwd: this.opts.folder, tag: `watch:${name.replace(/\.json$/, "")}` },
        (id) => Deno.writeTextFileSync(sidecar, id + "\n", { append: true, mode: 0o600 }),
      );
      const id = job.job_id;
      const size = fileSize(p.output);
      const ok = job.exit_code === 0 && size !== null && size > 0;
      clips[i] = {
        ...clips[i]!,
        status: ok ? "COMPLETED" : "FAILED",
        exit_code: job.exit_code,
        output_exists: size !== null,
        output_size_bytes: size,
        ffmpeg_command: argv,
        barn_job_id: id,
        started_at: job.started_at ?? clipStart,
        completed_at: job.finished_at ?? now(),
        duration_seconds: seconds(job.started_at ?? clipStart, job.finished_at ?? now()),
        failure_reason: ok ? null : await clipFailure(backend, job, size),
      };
      if (!ok) failed = `clip ${i + 1} failed: ${clips[i]!.failure_reason}`;
    }
    try {
      Deno.removeSync(sidecar);
    } catch { /* none */ }
    return {
      job_id: spec.job_id,
      final_status: failed ? "FAILED" : "COMPLETED",
      failure_reason: failed,
      errors: failed ? [failed] : [],
      clips,
      partial_outputs: failed
        ? clips.filter((c) => c.output_exists && c.status !== "COMPLETED").map((c) =>
          c.resolved_output_path!
        )
        : [],
    };
  }

  /** Moves the JobSpec to its final folder, then writes its result next to it (atomically). */
  #finish(
    runningPath: string,
    runningName: string,
    r: Omit<JobSpecResult, "_metadata" | "completed_at" | "duration_seconds">,
  ): void {
    const dest = join(this.opts.folder, r.final_status === "COMPLETED" ? "completed" : "failed");
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
    const { folder } = this.opts;
    const running = join(folder, "running");
    for (const e of Deno.readDirSync(running)) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      const original = join(running, e.name);
      const sidecar = join(running, `.${e.name}.barn-jobs`);
      const ids = (readTextIfExists(sidecar) ?? "").split("\n").filter(Boolean);
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
        jobId = (JSON.parse(Deno.readTextFileSync(original)) as { job_id?: string }).job_id ?? null;
      } catch { /* unreadable */ }
      const finalName = freeName(join(folder, "failed"), e.name);
      Deno.renameSync(original, join(folder, "failed", finalName));
      writeResult(join(folder, "failed", finalName), {
        job_id: jobId,
        final_status: "FAILED",
        failure_reason: "runner interrupted",
        errors: ["runner interrupted"],
        clips: [],
        partial_outputs: [],
        started_at: at,
        completed_at: at,
        duration_seconds: 0,
        _recovery: {
          reason: "runner interrupted",
          recovered_at: at,
          original_path: original,
          barn_jobs: barnJobs,
        },
      });
      this.opts.log(`${e.name}: recovered from running/ into failed/ (runner interrupted)`);
    }
    // A JobSpec that reached its final folder without a result (a crash in between) gets one now.
    for (const d of ["completed", "failed"]) {
      for (const e of Deno.readDirSync(join(folder, d))) {
        if (!e.isFile || !e.name.endsWith(".json") || e.name.endsWith(".result.json")) continue;
        const p = join(folder, d, e.name);
        if (exists(resultPath(p))) continue;
        const at = now();
        writeResult(p, {
          job_id: null,
          final_status: d === "completed" ? "COMPLETED" : "FAILED",
          failure_reason: "result missing after an interrupted runner",
          errors: [],
          clips: [],
          partial_outputs: [],
          started_at: at,
          completed_at: at,
          duration_seconds: 0,
          _recovery: {
            reason: "result missing after an interrupted runner",
            recovered_at: at,
            original_path: p,
            barn_jobs: [],
          },
        });
      }
    }
  }
}

function resultPath(jobspecPath: string): string {
  return jobspecPath.replace(/\.json$/, ".result.json");
}

function writeResult(jobspecPath: string, r: Omit<JobSpecResult, "_metadata">): void {
  const full: JobSpecResult = {
    ...r,
    _metadata: { jobspec_path: jobspecPath, result_written_at: now(), runner: `barn ${VERSION}` },
  };
  writeFileAtomic(resultPath(jobspecPath), JSON.stringify(full, null, 2) + "\n");
}

function fileSize(p: string): number | null {
  try {
    return Deno.statSync(p).size;
  } catch {
    return null;
  }
}

function ensurePrivateDirs(output: string): void {
  const dir = output.slice(0, output.lastIndexOf("/"));
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

async function waitJob(backend: Backend, id: string, signal: AbortSignal): Promise<Job> {
  for (;;) {
    if (signal.aborted) throw new BarnError("E_BUSY", "the runner was stopped while a clip ran");
    const r = await backend.stream({ kind: "wait", ids: [id], timeout_seconds: 1 }, () => {});
    if (!r.timed_out) return r.jobs[0]!;
  }
}

async function clipFailure(backend: Backend, job: Job, size: number | null): Promise<string> {
  if (job.exit_code === "E_SPAWN") {
    return "FFmpeg not found. Install FFmpeg to use headless execution.";
  }
  let why = job.exit_code === 0
    ? "Output file does not exist or has zero size"
    : typeof job.exit_code === "number"
    ? `FFmpeg exited with code ${job.exit_code}`
    : `${job.exit_code}: ${job.error ?? ""}`;
  if (job.exit_code === 0 && size === null) why = "Output file does not exist or has zero size";
  try {
    const { job: d } = await backend.request({ kind: "describe", id: job.job_id, lines: 10 });
    if (d.stderr_tail.length) why += `\nstderr (last lines):\n${d.stderr_tail.join("\n")}`;
  } catch { /* the job may be cleaned already */ }
  return why;
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
