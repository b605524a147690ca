/** Row 5: idle memory against a bare Deno, memory over rounds of jobs, and with 200 jobs running. */

import { barnBatch, barnCmd, barnPids, DENO, tempHome, withService } from "../lib/barn.ts";
import { otherDenos, pss, pssSamples, rss } from "../lib/procs.ts";
import type { Bench } from "../lib/report.ts";
import { waitUntil } from "../lib/sh.ts";
import { median } from "../lib/stats.ts";

export async function memory({ p, smoke, report }: Bench): Promise<void> {
  const memRounds = smoke ? 2 : 10;
  // PSS splits shared pages (the deno binary) among the processes that map them, and this
  // script maps them too; the bare process and the idle service, one process each, are set
  // side by side by RSS (their PSS if alone), with no other Deno process running.
  await waitUntil(() => otherDenos().length === 0, 30_000);
  const bare = new Deno.Command(DENO, {
    args: ["eval", "setTimeout(() => {}, 600000)"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((r) => setTimeout(r, 1500));
  const bareBytes = await pssSamples(async () => {
    await new Promise((r) => setTimeout(r, 300));
    return rss(bare.pid);
  });
  bare.kill("SIGKILL");
  await bare.status;
  const home = tempHome("mem");
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const c of silent) held.push(c);
    } catch { /* closed */ }
  })();
  const out: Record<string, number> = { bare_deno_rss: bareBytes };
  await withService(home, { max_parallel: p.running + 10, keeper_idle: "2s" }, async () => {
    await waitUntil(() => barnPids(home).length === 1, 10_000);
    const sample = () =>
      pssSamples(async () => {
        await new Promise((r) => setTimeout(r, 300));
        return barnPids(home).reduce((a, pid) => a + pss(pid), 0);
      });
    await waitUntil(() => otherDenos().length === 1, 15_000); // the service alone
    // Idle, the service is one process: its RSS is its PSS as if this script (another deno
    // process, sharing the binary's pages) were not running.
    const [svc] = barnPids(home);
    out.idle_rss = await pssSamples(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return rss(svc!);
    });
    out.idle_pss = await sample();
    // Rounds of jobs up to 10x: after the first the heap has warmed up; "flat" means the last
    // rounds (up to 10k jobs in a full run) hold no more than the first ones.
    for (const round of Array.from({ length: memRounds }, (_, i) => i + 1)) {
      const lines = Array.from(
        { length: p.jobs },
        () => JSON.stringify({ command: ["curl", "--version"], tag: `m${round}` }),
      ).join("\n");
      await barnBatch(home, lines);
      await barnCmd(home, "wait", `--tag=m${round}`, "--timeout=600s");
      await waitUntil(() => barnPids(home).length === 1, 15_000); // the keeper idles out
      out[`after_${round * p.jobs}_jobs_pss`] = await sample();
    }
    out.after_jobs_count = memRounds * p.jobs;
    const port = (silent.addr as Deno.NetAddr).port;
    const run = Array.from(
      { length: p.running },
      () =>
        JSON.stringify({
          command: ["curl", "-s", "--max-time", "120", `http://127.0.0.1:${port}/`],
          tag: "r",
        }),
    ).join("\n");
    await barnBatch(home, run);
    await waitUntil(
      async () =>
        JSON.parse((await barnCmd(home, "service", "status", "--output=json")).out).jobs.running ===
          p.running,
      60_000,
    );
    out.running_jobs = p.running;
    out.running_pss = barnPids(home).reduce((a, pid) => a + pss(pid), 0);
    out.per_running_job_bytes = Math.round((out.running_pss - out.idle_pss) / p.running);
  });
  silent.close();
  for (const c of held) {
    try {
      c.close();
    } catch { /* closed */ }
  }
  report.results.memory = out;
  report.ratio(
    "memory_idle_over_bare_deno",
    out.idle_rss! / bareBytes,
    "<= 1.5",
    (v) => v <= 1.5,
  );
  // Each round's PSS is itself a median of 5 samples; a single round still moves by a few MB,
  // so the last third of the rounds is set against the first third.
  const rounds = Array.from(
    { length: memRounds },
    (_, i) => out[`after_${(i + 1) * p.jobs}_jobs_pss`]!,
  );
  const third = Math.max(1, Math.floor(memRounds / 3));
  report.ratio(
    "memory_last_rounds_over_first_rounds",
    median(rounds.slice(-third)) / median(rounds.slice(0, third)),
    "flat (<= 1.1)",
    (v) => v <= 1.1,
  );
}
