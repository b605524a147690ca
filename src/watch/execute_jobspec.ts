/** Runs one JobSpec's clips as barn jobs, one after another, fail-fast; checks come first. */

import { dirname, join } from "../platform/path.ts";
import { jsonErrorPlace } from "../escape.ts";
import { BarnError } from "../errors.ts";
import type { Backend } from "../client/backend.ts";
import type { Job, JobSpec } from "../jobs/job.ts";
import { exists, openPrivateAppend, readText, writeAllSync } from "../platform/files.ts";
import { makeDirsInside, sandboxPath } from "../platform/sandbox_path.ts";
import { isSecretPath } from "../platform/sandbox_path.ts";
import { ffmpegArgv } from "./presets.ts";
import { resolveOutput, resolveSource, validateJobSpec } from "./jobspec.ts";
import { type ClipResult, type FinalStatus, type JobSpecResult, seconds } from "./result.ts";
import { now } from "./result_file.ts";
import { parseJson } from "../json.ts";

/** Runs one clip job to its end; `submitted` gets its id as soon as it exists. */
export type RunJob = (spec: JobSpec, submitted: (id: string) => void) => Promise<Job>;

/** A result before the loop adds its times and metadata. */
export type Outcome = Omit<
  JobSpecResult,
  "_metadata" | "completed_at" | "duration_seconds" | "started_at"
>;

export interface ExecuteOptions {
  folder: string;
  backend: () => Promise<Backend>;
  runJob: RunJob;
}

/** runJob through a service: submit, then wait (event-driven on the service side). */
export function serviceRunJob(backend: () => Promise<Backend>, signal: AbortSignal): RunJob {
  return async (spec, submitted) => {
    const b = await backend();
    const { jobs } = await b.request({ kind: "submit", jobs: [spec] });
    const id = jobs[0]!.job.job_id;
    submitted(id);
    return await waitJob(b, id, signal);
  };
}

/** Validates, checks, and runs the clips of the JobSpec at `path` (named `name` in running/); fail-fast. */
export async function executeJobSpec(
  path: string,
  name: string,
  opts: ExecuteOptions,
): Promise<Outcome> {
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
  let text: string;
  try {
    text = readText(path, "JobSpec");
  } catch (e) {
    return fail(`cannot read the JobSpec: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseJson(text);
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
  const base = opts.folder;
  // Where each path really leads (through links); a refused one is kept as given, and never looked at.
  const refused = new Map<string, string>();
  const place = (given: string, what: string, read: boolean): string => {
    try {
      const real = sandboxPath(given, what);
      if (read && isSecretPath(real)) {
        refused.set(
          given,
          `${what} ${given} is one of barn's secrets, which no job may read (see docs/security.md)`,
        );
      }
      return real;
    } catch (e) {
      if (!(e instanceof BarnError) || e.code !== "E_SANDBOX") throw e;
      refused.set(given, e.message);
      return given;
    }
  };
  const planned = spec.clips.map((c, i) => ({
    clip: c,
    source: place(resolveSource(c, base), `clip ${i + 1} source`, true),
    output: place(resolveOutput(c, i, base), `clip ${i + 1} output`, false),
  }));
  const skipped = (why: string | null = null): ClipResult[] =>
    planned.map((p) => ({
      source_path: p.source,
      resolved_output_path: p.output,
      preset: p.clip.preset,
      status: "SKIPPED",
      exit_code: null,
      output_exists: !refused.has(p.output) && exists(p.output),
      output_size_bytes: null,
      ffmpeg_command: null,
      barn_job_id: null,
      started_at: null,
      completed_at: null,
      duration_seconds: null,
      failure_reason: why,
    }));
  if (refused.size) {
    const why = [...refused.values()];
    return fail(`E_SANDBOX: ${why.join("; ")}`, why, spec.job_id, skipped());
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

  const backend = await opts.backend();
  const clips: ClipResult[] = skipped();
  const sidecar = join(opts.folder, "running", `.${name}.barn-jobs`);
  let failed: string | null = null;
  for (let i = 0; i < planned.length && !failed; i++) {
    const p = planned[i]!;
    makeDirsInside(dirname(p.output), `clip ${i + 1} output folder`);
    const argv = ffmpegArgv(p.source, p.output, p.clip.preset);
    const clipStart = now();
    const job = await opts.runJob(
      { command: argv, cwd: opts.folder, tag: `watch:${name.replace(/\.json$/, "")}` },
      (id) => appendLine(sidecar, id),
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
      failure_reason: ok ? null : await clipFailure(backend, job),
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

function fileSize(p: string): number | null {
  try {
    return Deno.statSync(p).size;
  } catch {
    return null;
  }
}

function appendLine(path: string, line: string): void {
  const f = openPrivateAppend(path);
  try {
    writeAllSync(f, new TextEncoder().encode(line + "\n"));
  } finally {
    f.close();
  }
}

async function waitJob(backend: Backend, id: string, signal: AbortSignal): Promise<Job> {
  for (;;) {
    if (signal.aborted) throw new BarnError("E_BUSY", "the runner was stopped while a clip ran");
    const r = await backend.stream({ kind: "wait", ids: [id], timeout_seconds: 1 }, () => {});
    if (!r.timed_out) return r.jobs[0]!;
  }
}

async function clipFailure(backend: Backend, job: Job): Promise<string> {
  if (job.exit_code === "E_SPAWN") {
    return "FFmpeg not found. Install FFmpeg to use headless execution.";
  }
  let why = job.exit_code === 0
    ? "Output file does not exist or has zero size"
    : typeof job.exit_code === "number"
    ? `FFmpeg exited with code ${job.exit_code}`
    : `${job.exit_code}: ${job.error ?? ""}`;
  try {
    const { job: d } = await backend.request({ kind: "describe", id: job.job_id, lines: 10 });
    if (d.stderr_tail.length) why += `\nstderr (last lines):\n${d.stderr_tail.join("\n")}`;
  } catch { /* the job may be cleaned already */ }
  return why;
}
