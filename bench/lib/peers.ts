/** The peers barn is measured against: task-spooler (`tsp`) and `nq`, and hyperfine to time them. */

import type { Report } from "./report.ts";
import { pidsWith } from "./procs.ts";
import { have, sh, waitUntil } from "./sh.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface Peers {
  tsp: boolean;
  nq: boolean;
  hyperfine: boolean;
  /** GNU time, for a client's peak RSS (a shell's `time` builtin has no %M). */
  gnuTime: boolean;
}

const GNU_TIME = "/usr/bin/time";

/** Installs the peers if they are missing (Debian), or notes that their columns are skipped. */
export async function ensurePeers(report: Report): Promise<Peers> {
  const want = { tsp: "task-spooler", nq: "nq", hyperfine: "hyperfine", gnuTime: "time" };
  const present = async (t: string) => t === "gnuTime" ? await exists(GNU_TIME) : await have(t);
  const missing = [];
  for (const [t, pkg] of Object.entries(want)) if (!(await present(t))) missing.push(pkg);
  if (missing.length && (await have("apt-get")) && Deno.uid() === 0) {
    await sh(["apt-get", "install", "-y", "-qq", ...missing], {
      DEBIAN_FRONTEND: "noninteractive",
    });
  }
  const out: Peers = { tsp: false, nq: false, hyperfine: false, gnuTime: false };
  for (const t of Object.keys(want) as (keyof Peers)[]) {
    out[t] = await present(t);
    if (!out[t]) report.note(`${t} is not installed: its columns are skipped`);
  }
  return out;
}

/** A private tsp server: its socket and its jobs' output files in `dir`, room for `finished` finished jobs. */
export function tspEnv(dir: string, finished: number): Record<string, string> {
  return { TS_SOCKET: `${dir}/tsp.sock`, TS_MAXFINISHED: String(finished), TMPDIR: dir };
}

/**
 * Starts the private tsp server of `env` with 4 slots; its pid. Started here, outside any
 * reaper, so that no reaper waits for it (its first client would otherwise fork it).
 */
export async function startTsp(env: Record<string, string>): Promise<number> {
  await sh(["tsp", "-S", "4"], env);
  let pids: number[] = [];
  await waitUntil(() => (pids = pidsWith("tsp", `TS_SOCKET=${env.TS_SOCKET}`)).length === 1, 5000);
  if (pids.length !== 1) throw new Error(`expected one tsp server, found ${pids.length}`);
  return pids[0]!;
}

/** Queues `n` × argv on tsp, one client call each, and waits until none is queued or running. */
export async function tspQueueAll(
  env: Record<string, string>,
  n: number,
  argv: string[],
  timeoutMs: number,
): Promise<void> {
  for (let i = 0; i < n; i++) await sh(["tsp", ...argv], env);
  await waitUntil(
    async () => !/running|queued/.test((await sh(["tsp", "-l"], env)).out),
    timeoutMs,
  );
}

/** Queues `n` × argv over nq queue dirs round-robin (nq runs one queue serially), then waits. */
export async function nqQueueAll(dirs: string[], n: number, argv: string[]): Promise<void> {
  for (const d of dirs) Deno.mkdirSync(d, { recursive: true });
  for (let i = 0; i < n; i++) {
    await sh(["nq", "-q", ...argv], { NQDIR: dirs[i % dirs.length]! });
  }
  for (const d of dirs) await sh(["nq", "-w"], { NQDIR: d });
}

/** Runs argv once under GNU time: its peak RSS in bytes (forked from time's small process, so exact). */
export async function peakRssOf(argv: string[], env: Record<string, string>): Promise<number> {
  const file = `/tmp/barn/bench_time-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const r = await sh([GNU_TIME, "-f", "%M", "-o", file, ...argv], env);
    if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.err}`);
    return Number(Deno.readTextFileSync(file).trim().split("\n").pop()) * 1024;
  } finally {
    Deno.removeSync(file);
  }
}
