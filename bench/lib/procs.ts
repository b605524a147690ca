/** Process sampling from /proc: memory (PSS, RSS) and which Deno processes are running. */

import { DENO } from "./paths.ts";
import { median } from "./stats.ts";

function smaps(pid: number, field: "Pss" | "Rss"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`),
    );
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
export const pss = (pid: number) => smaps(pid, "Pss");
/** A lone process's PSS if nothing else mapped its pages; this script maps the same binary. */
export const rss = (pid: number) => smaps(pid, "Rss");

/** PSS moves by a few MB between identical Deno processes (shared pages): take the median of 5. */
export async function pssSamples(f: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) xs.push(await f());
  return median(xs);
}

/** This process and its ancestors (`deno task`, a test runner): always there, never "other". */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = Deno.pid; pid > 1 && !out.has(pid);) {
    out.add(pid);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  return out;
}

/** Deno processes (the same deno binary) other than this script and its ancestors. */
export function otherDenos(): number[] {
  const exe = Deno.realPathSync(DENO);
  const mine = selfAndAncestors();
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || mine.has(Number(e.name))) continue;
    try {
      if (Deno.readLinkSync(`/proc/${e.name}/exe`) === exe) out.push(Number(e.name));
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

/** A process's CPU so far, in ms: its own (every thread) and its reaped children's, from /proc. */
export interface ProcCpu {
  pid: number;
  /** Start time in clock ticks after boot: tells a reused pid apart. */
  start: number;
  own: number;
  children: number;
  /** The main thread's CPU in ns precision (schedstat): exact for a single-threaded process. */
  mainThread: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function procCpu(pid: number): ProcCpu | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
    const sched = Deno.readTextFileSync(`/proc/${pid}/schedstat`).split(" ");
    return {
      pid,
      start: Number(f[19]),
      own: (Number(f[11]) + Number(f[12])) * TICK_MS,
      children: (Number(f[13]) + Number(f[14])) * TICK_MS,
      mainThread: Number(sched[0]) / 1e6,
    };
  } catch {
    return null;
  }
}

/** CPU used between two samples of the same processes; a process new in `after` counts whole. */
export function cpuDelta(
  before: readonly ProcCpu[],
  after: readonly ProcCpu[],
  pick: (c: ProcCpu) => number,
): { ms: number; gone: number } {
  let ms = 0;
  for (const a of after) {
    const b = before.find((x) => x.pid === a.pid && x.start === a.start);
    ms += pick(a) - (b ? pick(b) : 0);
  }
  const gone = before.filter((b) => !after.some((a) => a.pid === b.pid && a.start === b.start));
  return { ms, gone: gone.length };
}

/** PIDs whose command name is `comm` and whose environment holds `entry` (e.g. `TS_SOCKET=…`). */
export function pidsWith(comm: string, entry: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${e.name}/comm`).trim() !== comm) continue;
      if (Deno.readTextFileSync(`/proc/${e.name}/environ`).split("\0").includes(entry)) {
        out.push(Number(e.name));
      }
    } catch { /* gone */ }
  }
  return out;
}

function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
    Deno.readTextFileSync(`/proc/${pid}/status`),
  );
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]);
}

/** Resets a process's peak RSS (VmHWM), so that the next peakRss covers only what follows. */
export function resetPeak(pid: number): void {
  Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
}

/** A process's peak RSS since its start or the last resetPeak, bytes. */
export const peakRss = (pid: number) => statusKb(pid, "VmHWM") * 1024;
/** A process's RSS now, bytes. */
export const rssNow = (pid: number) => statusKb(pid, "VmRSS") * 1024;
