/**
 * POSIX process control through kill(1) and ps(1): a job that may fork leads its own session and
 * is signalled as a group; any other job is signalled by its pid.
 */

// Deno.kill needs unscoped --allow-run, so signals go through the `kill` executable (docs/security.md).

export type Sig = "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP";

async function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "null" })
    .output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

/** Signals every process of group `pgid`; false when the group no longer exists. */
export async function signalGroup(pgid: number, sig: Sig): Promise<boolean> {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  const { code } = await run("kill", [`-${sig.slice(3)}`, "--", `-${pgid}`]);
  return code === 0;
}

/** Signals one process; false when it no longer exists. */
export async function signalPid(pid: number, sig: Sig): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  const { code } = await run("kill", [`-${sig.slice(3)}`, "--", String(pid)]);
  return code === 0;
}

/** True while process `pid` exists. */
export async function pidAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  const { code } = await run("kill", ["-0", "--", String(pid)]);
  return code === 0;
}

/** True while any process of group `pgid` exists. */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  const { code } = await run("kill", ["-0", "--", `-${pgid}`]);
  return code === 0;
}

/**
 * The identity of a live process: its start time, process group and parent, read by ps(1)
 * because Deno refuses /proc without --allow-all. Null when the pid is gone or ps fails.
 */
export async function processIdentity(pid: number): Promise<ProcessIdentity | null> {
  let out: { code: number; stdout: string };
  try {
    out = await run("ps", ["-o", "pgid=,ppid=,lstart=", "-p", String(pid)]);
  } catch {
    return null; // ps could not run (EMFILE, EAGAIN): no identity
  }
  if (out.code !== 0) return null;
  const m = /^\s*(\d+)\s+(\d+)\s+(.+?)\s*$/.exec(out.stdout);
  if (!m) return null;
  const startedAt = new Date(m[3]!);
  if (Number.isNaN(startedAt.getTime())) return null;
  return { startedAt, pgid: Number(m[1]), ppid: Number(m[2]) };
}

/** The ps column `e` appends the environment to: comm with procps (Linux), args elsewhere. */
const ENV_AFTER = Deno.build.os === "linux" ? "comm" : "args";

/**
 * The live processes whose environment holds BARN_JOB_ID=`jobId`; a job whose supervisor died
 * before it recorded the pid is found this way. Empty when ps fails. Candidates only: the caller
 * still checks their identity.
 */
export async function pidsOfJob(jobId: string): Promise<number[]> {
  let out: { code: number; stdout: string };
  try {
    // procps prints the environment after `comm` (15 chars), not after the arguments: a marker
    // typed in a command line is no match, and long arguments can't push it past the 128 KiB cut.
    out = await run("ps", ["-e", "-ww", "-o", "pid=", "-o", `${ENV_AFTER}=`, "e"]);
  } catch {
    return [];
  }
  if (out.code !== 0) return [];
  return jobPidsIn(out.stdout, jobId);
}

/** The pids of `ps -o pid= -o comm= e` lines that carry BARN_JOB_ID=`jobId` (pure). */
export function jobPidsIn(psOutput: string, jobId: string): number[] {
  const pids: number[] = [];
  const mark = `BARN_JOB_ID=${jobId}`;
  for (const line of psOutput.split("\n")) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2]!;
    for (let at = rest.indexOf(mark); at >= 0; at = rest.indexOf(mark, at + 1)) {
      const end = at + mark.length;
      if ((at === 0 || rest[at - 1] === " ") && (end === rest.length || rest[end] === " ")) {
        pids.push(Number(m[1]));
        break;
      }
    }
  }
  return pids;
}

export interface ProcessIdentity {
  startedAt: Date;
  pgid: number;
  ppid: number;
}
