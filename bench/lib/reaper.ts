/** Runs a command N times under reaper.py (a child subreaper) and returns the CPU of every process it reaped. */

import { ROOT } from "./paths.ts";
import { sh } from "./sh.ts";

export interface Reaped {
  runs: number;
  failures: number;
  /** From the first spawn to the last run's exit, seconds. */
  submit_seconds: number;
  /** From the first spawn until every orphan left behind has exited too, seconds. */
  seconds: number;
  /** Per command name: how many processes, their own CPU (main thread, ns-exact) and with children. */
  by_comm: Record<string, { count: number; own_main_thread_ms: number; with_children_ms: number }>;
}

export async function reap(
  n: number,
  argv: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Reaped> {
  const flags = opts.stdin ? [`--stdin=${opts.stdin}`] : [];
  for (const [k, v] of Object.entries(opts.env ?? {})) flags.push(`--env=${k}=${v}`);
  const r = await sh(["python3", `${ROOT}bench/lib/reaper.py`, ...flags, String(n), "--", ...argv]);
  if (r.code !== 0) throw new Error(`reaper.py failed (${r.code}): ${r.err}`);
  const out = JSON.parse(r.out) as Reaped;
  if (out.failures > 0) throw new Error(`${argv.join(" ")}: ${out.failures} of ${n} runs failed`);
  return out;
}

/** The summed CPU of reaped processes named `comm`, ms. */
export function reapedMs(r: Reaped, comm: string, kind: "own" | "with_children"): number {
  const c = r.by_comm[comm];
  if (!c) return 0;
  return kind === "own" ? c.own_main_thread_ms : c.with_children_ms;
}
