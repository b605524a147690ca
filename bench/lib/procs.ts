/** Process sampling from /proc: memory (PSS, RSS) and which Deno processes are running. */

import { DENO } from "./barn.ts";
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
