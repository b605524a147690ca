/** How barn starts its own executable: the compiled binary directly, or deno with the same permission set. */

import { fromFileUrl } from "./path.ts";

const DENO_NAMES = ["deno", "deno.exe"];

/**
 * V8 flags for every barn process, embedded by the compile task and passed by selfCommand in
 * dev. A 1 MiB young generation keeps the long-lived service and keeper from growing their
 * heap to ~26 MB after a burst of jobs while only ~10 MB is live; `gc()` lets the service
 * collect once its queue is quiet (src/service/idle_gc.ts, docs/performance.md).
 */
export const V8_FLAGS = "--max-semi-space-size=1,--expose-gc";

/**
 * The permission set a source-run child gets: the one this process runs under, told apart by
 * what it grants (only the test-only set grants the fixture interpreter), never by the
 * environment. A compiled binary embeds its set and ignores this.
 */
export function permissionSet(): string {
  const hooks = Deno.permissions.querySync({ name: "run", command: "python3" }).state;
  return hooks === "granted" ? "barn-test-hooks" : "barn";
}

/** argv that runs `barn <args…>` again, under the same sandbox as this process. */
export function selfCommand(args: readonly string[]): { cmd: string; args: string[] } {
  const exec = Deno.execPath();
  const base = exec.split(/[\\/]/).pop() ?? "";
  if (!DENO_NAMES.includes(base)) return { cmd: exec, args: [...args] };
  const config = fromFileUrl(new URL("../../deno.json", import.meta.url));
  const main = fromFileUrl(new URL("../main.ts", import.meta.url));
  return {
    cmd: exec,
    args: [
      "run",
      "-q",
      `-P=${permissionSet()}`,
      `--config=${config}`,
      `--v8-flags=${V8_FLAGS}`,
      main,
      ...args,
    ],
  };
}

/** Starts barn detached (its own session, no terminal), so it outlives the caller's SSH session. */
export function spawnSelfDetached(args: readonly string[]): Deno.ChildProcess {
  const { cmd, args: argv } = selfCommand(args);
  const child = new Deno.Command(cmd, {
    args: argv,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return child;
}
