/** Process control for the running OS; the only place that signals processes. */

import * as posix from "./process_posix.ts";
import * as windows from "./process_windows.ts";

const impl = Deno.build.os === "windows" ? windows : posix;

export type Sig = posix.Sig;
export type ProcessIdentity = posix.ProcessIdentity;
export const signalGroup = impl.signalGroup;
export const signalPid = impl.signalPid;
export const groupAlive = impl.groupAlive;
export const pidAlive = impl.pidAlive;
export const processIdentity = impl.processIdentity;
export const pidsOfJob = impl.pidsOfJob;

/** The variable every job's process carries: how a job is found when its pid was never recorded. */
export const JOB_ID_ENV = "BARN_JOB_ID";

/** Options of one spawned job: argv without a shell, stdin from /dev/null, piped output. */
export interface SpawnOptions {
  /** Set as BARN_JOB_ID in the process's environment (the job may read it too). */
  jobId: string;
  command: string[];
  cwd: string;
  /**
   * A session (and process group) of its own: for a command that may fork, so that a stop
   * reaches its whole tree, and for a supervisor a terminal can reach (`--offline`). It costs a
   * fork + setsid in the parent (~3x the CPU of the plain posix_spawn path, docs/performance.md).
   */
  ownSession: boolean;
}

export function spawnJob(opts: SpawnOptions): Deno.ChildProcess {
  const [cmd, ...args] = opts.command;
  return new Deno.Command(cmd!, {
    args,
    cwd: opts.cwd,
    env: { [JOB_ID_ENV]: opts.jobId },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: opts.ownSession,
  }).spawn();
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the tool could not be started at all (e.g. not installed). */
  error: string | null;
}

/** Runs a helper tool (ffprobe for checks) to completion, killed after `timeoutMs`. */
export async function runTool(
  cmd: string,
  args: string[],
  opts: { timeoutMs: number; cwd?: string },
): Promise<ToolResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    return { code: null, stdout: "", stderr: "", timedOut: false, error: (e as Error).message };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, opts.timeoutMs);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return {
      code: timedOut ? null : out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      timedOut,
      error: null,
    };
  } finally {
    clearTimeout(timer);
  }
}
