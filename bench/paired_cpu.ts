/**
 * Row 2's CPU per job, paired: two barn trees (this one and another checkout, e.g. a
 * `git worktree add /tmp/old <commit>`), each with its own home and service, batches of
 * `curl --version` jobs submitted to each in turn, the service's and the keeper's CPU read from
 * /proc around every batch. On a shared machine only the pairs' ratios count. Run by hand:
 *
 *   deno run -A bench/paired_cpu.ts --other=/tmp/old [--rounds=8] [--jobs=250] [--prefix=cpu]
 *     [--root=/tmp/barn]
 */

import { cpuDelta, procCpu } from "./lib/procs.ts";
import type { ProcCpu } from "./lib/procs.ts";
import { ROOT } from "./lib/paths.ts";
import { median } from "./lib/stats.ts";

const arg = (name: string, dflt: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const other = arg("other", "");
if (!other) throw new Error("--other=<a barn checkout> is required");
const rounds = Number(arg("rounds", "8"));
const jobs = Number(arg("jobs", "250"));
const prefix = arg("prefix", "cpu");
/** Below /tmp/barn; a tmpfs mounted there takes ext4's inode allocation (docs/performance.md) out. */
const root = arg("root", "/tmp/barn");

interface Tree {
  name: string;
  root: string;
  home: string;
  svc: number[];
  kpr: number[];
}

const trees: Tree[] = [
  { name: "other", root: other.replace(/\/?$/, "/"), home: "", svc: [], kpr: [] },
  { name: "this", root: ROOT, home: "", svc: [], kpr: [] },
].map((t) => ({ ...t, home: `${root}/${prefix}-${t.name}-${crypto.randomUUID().slice(0, 6)}` }));

async function barn(t: Tree, args: string[], stdin?: string): Promise<string> {
  const p = new Deno.Command(`${t.root}.deno/bin/deno`, {
    args: ["run", "-q", "-P=barn", `${t.root}src/main.ts`, ...args],
    cwd: t.root,
    env: { BARN_HOME: t.home },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await p.output();
  const dec = new TextDecoder();
  if (o.code !== 0) {
    throw new Error(`${t.name}: barn ${args.join(" ")} exited ${o.code}: ${dec.decode(o.stderr)}`);
  }
  return dec.decode(o.stdout);
}

function daemons(home: string): { service: ProcCpu[]; keeper: ProcCpu[] } {
  const out = { service: [] as ProcCpu[], keeper: [] as ProcCpu[] };
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`).split("\0");
      if (!env.includes(`BARN_HOME=${home}`)) continue;
      const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      const c = procCpu(Number(e.name));
      if (!c) continue;
      if (argv.includes("keeper")) out.keeper.push(c);
      else if (argv.includes("service")) out.service.push(c);
    } catch { /* gone */ }
  }
  return out;
}

async function batch(t: Tree, tag: string): Promise<void> {
  const lines = Array.from(
    { length: jobs },
    () => JSON.stringify({ command: ["curl", "--version"], tag }),
  ).join("\n");
  const before = daemons(t.home);
  await barn(t, ["run", "--batch=-"], lines);
  await barn(t, ["wait", `--tag=${tag}`, "--timeout=600s"]);
  const after = daemons(t.home);
  t.svc.push(cpuDelta(before.service, after.service, (c) => c.own).ms / jobs);
  t.kpr.push(cpuDelta(before.keeper, after.keeper, (c) => c.own).ms / jobs);
}

const fmt = (xs: number[]) =>
  `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

try {
  for (const t of trees) {
    Deno.mkdirSync(t.home, { mode: 0o700 });
    Deno.writeTextFileSync(
      `${t.home}/config.json`,
      JSON.stringify({ max_parallel: 4, keeper_idle: "1h" }),
    );
    await barn(t, ["service", "start"]);
    await batch(t, "warm"); // starts the keeper, warms both up: not counted
    t.svc.length = 0;
    t.kpr.length = 0;
  }
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 ? [...trees].reverse() : trees) await batch(t, `r${r}`);
  }
  const [a, b] = trees as [Tree, Tree];
  const tot = (t: Tree) => t.svc.map((s, i) => s + t.kpr[i]!);
  const ratio = (x: number[], y: number[]) => y.map((v, i) => v / x[i]!);
  console.log(`${rounds} rounds of ${jobs} jobs each, ms of CPU per job, median (range)`);
  console.log(`| | ${a.root} | ${b.root} | per-round ratio this/other |`);
  console.log("| --- | --- | --- | --- |");
  console.log(`| service | ${fmt(a.svc)} | ${fmt(b.svc)} | ${fmt(ratio(a.svc, b.svc))} |`);
  console.log(`| keeper | ${fmt(a.kpr)} | ${fmt(b.kpr)} | ${fmt(ratio(a.kpr, b.kpr))} |`);
  console.log(`| both | ${fmt(tot(a))} | ${fmt(tot(b))} | ${fmt(ratio(tot(a), tot(b)))} |`);
} finally {
  for (const t of trees) {
    try {
      await barn(t, ["service", "stop", "--kill-jobs"]);
    } catch { /* already down */ }
    // The keeper (idle 1h here) and anything else of this home, by pid.
    const d = daemons(t.home);
    for (const c of [...d.service, ...d.keeper]) {
      try {
        Deno.kill(c.pid, "SIGKILL");
      } catch { /* gone */ }
    }
    try {
      Deno.removeSync(t.home, { recursive: true });
    } catch { /* left for a look */ }
  }
}
