/** Process control for the running OS; the only place that signals processes. */

import * as posix from "./process_posix.ts";
import * as windows from "./process_windows.ts";

const impl = Deno.build.os === "windows" ? windows : posix;

export type Sig = posix.Sig;
export const signalGroup = impl.signalGroup;
export const groupAlive = impl.groupAlive;
export const processIdentity = impl.processIdentity;

/** Options of one spawned job: argv without a shell, its own session, stdin from /dev/null. */
export interface SpawnOptions {
  command: string[];
  cwd: string;
}

/** Spawns a job in a new session (so it survives its parent's terminal) with piped output. */
export function spawnJob(opts: SpawnOptions): Deno.ChildProcess {
  const [cmd, ...args] = opts.command;
  return new Deno.Command(cmd!, {
    args,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
}
