/** Windows process control: taskkill /T ends a whole tree. Untested here: no Windows machine. */

export type Sig = "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP";

export async function signalGroup(pid: number, sig: Sig): Promise<boolean> {
  const args = ["/PID", String(pid), "/T"];
  if (sig === "SIGKILL") args.push("/F");
  const out = await new Deno.Command("taskkill", { args, stdout: "null", stderr: "null" }).output();
  return out.code === 0;
}

export async function groupAlive(pid: number): Promise<boolean> {
  const out = await new Deno.Command("tasklist", {
    args: ["/FI", `PID eq ${pid}`, "/NH"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).includes(String(pid));
}

export async function signalPid(pid: number, sig: Sig): Promise<boolean> {
  const args = ["/PID", String(pid)];
  if (sig === "SIGKILL") args.push("/F");
  const out = await new Deno.Command("taskkill", { args, stdout: "null", stderr: "null" }).output();
  return out.code === 0;
}

export const pidAlive = groupAlive;

/** No identity is read on Windows, so a leftover process is never signalled there (no identity, no signal). */
export function processIdentity(
  _pid: number,
): Promise<{ startedAt: Date; pgid: number; ppid: number } | null> {
  return Promise.resolve(null);
}

/** Not looked for on Windows: no identity could be confirmed there either. */
export function pidsOfJob(_jobId: string): Promise<number[]> {
  return Promise.resolve([]);
}
