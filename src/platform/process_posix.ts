/** POSIX process control: jobs lead their own session, and whole groups are signalled through kill(1). */

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

/** True while any process of group `pgid` exists. */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  const { code } = await run("kill", ["-0", "--", `-${pgid}`]);
  return code === 0;
}

/**
 * The identity of a live process: its start time and process group, read by ps(1)
 * because Deno refuses /proc without --allow-all. Null when the pid is gone.
 */
export async function processIdentity(
  pid: number,
): Promise<{ startedAt: Date; pgid: number } | null> {
  const { code, stdout } = await run("ps", ["-o", "pgid=,lstart=", "-p", String(pid)]);
  if (code !== 0) return null;
  const m = /^\s*(\d+)\s+(.+?)\s*$/.exec(stdout);
  if (!m) return null;
  const startedAt = new Date(m[2]!);
  if (Number.isNaN(startedAt.getTime())) return null;
  return { startedAt, pgid: Number(m[1]) };
}
