/** The peers barn is measured against: task-spooler (`tsp`) and `nq`, and hyperfine to time them. */

import type { Report } from "./report.ts";
import { have, sh, waitUntil } from "./sh.ts";

export interface Peers {
  tsp: boolean;
  nq: boolean;
  hyperfine: boolean;
}

/** Installs the peers if they are missing (Debian), or notes that their columns are skipped. */
export async function ensurePeers(report: Report): Promise<Peers> {
  const want = { tsp: "task-spooler", nq: "nq", hyperfine: "hyperfine" };
  const missing = [];
  for (const [t, pkg] of Object.entries(want)) if (!(await have(t))) missing.push(pkg);
  if (missing.length && (await have("apt-get")) && Deno.uid() === 0) {
    await sh(["apt-get", "install", "-y", "-qq", ...missing], {
      DEBIAN_FRONTEND: "noninteractive",
    });
  }
  const out: Peers = { tsp: false, nq: false, hyperfine: false };
  for (const t of Object.keys(want) as (keyof Peers)[]) {
    out[t] = await have(t);
    if (!out[t]) report.note(`${t} is not installed: its columns are skipped`);
  }
  return out;
}

/** A private tsp server: its socket in `dir`, room for `finished` finished jobs. */
export function tspEnv(dir: string, finished: number): Record<string, string> {
  return { TS_SOCKET: `${dir}/tsp.sock`, TS_MAXFINISHED: String(finished) };
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
