/** Row 2: 1000 jobs with 4 slots, barn against tsp, nq and an `xargs -P4` floor; target on overhead. */

import { barnBatch, barnCmd, killHome, tempHome, withService } from "../lib/barn.ts";
import { nqQueueAll, tspEnv, tspQueueAll } from "../lib/peers.ts";
import type { Bench } from "../lib/report.ts";
import { sh } from "../lib/sh.ts";
import type { Stat } from "../lib/stats.ts";
import { timeIt } from "../lib/timing.ts";

export async function thousandJobs({ p, peers, report, overTime }: Bench): Promise<void> {
  const n = p.jobs;
  const home = tempHome("jobs");
  const env = tspEnv(home, n * 4 + 10);
  const out: Record<string, Stat> = {};
  out.floor_xargs_p4 = await timeIt(p.reps, async () => {
    await sh(["sh", "-c", `seq ${n} | xargs -P4 -I{} curl --version > /dev/null`]);
  });
  let k = 0;
  await withService(home, { max_parallel: 4 }, async () => {
    out.barn_batch = await timeIt(p.reps, async () => {
      const tag = `batch${k++}`;
      const lines = Array.from(
        { length: n },
        () => JSON.stringify({ command: ["curl", "--version"], tag }),
      ).join("\n");
      const s = await barnBatch(home, lines);
      if (s.code !== 0) throw new Error(s.err);
      await barnCmd(home, "wait", `--tag=${tag}`, "--timeout=600s");
    });
    if (!overTime()) {
      out.barn_single_runs = await timeIt(1, async () => {
        const tag = `single${k++}`;
        for (let i = 0; i < n; i++) await barnCmd(home, "run", `--tag=${tag}`, "curl", "--version");
        await barnCmd(home, "wait", `--tag=${tag}`, "--timeout=600s");
      }, 0);
    } else report.note("thousand_jobs: the single-run row was skipped (time cap)");
  });
  if (peers.tsp) {
    await sh(["tsp", "-K"], env);
    out.tsp_S4 = await timeIt(p.reps, async () => {
      await sh(["tsp", "-S", "4"], env);
      await tspQueueAll(env, n, ["curl", "--version"], 600_000);
      await sh(["tsp", "-C"], env);
    });
    await sh(["tsp", "-K"], env);
  }
  if (peers.nq) {
    out.nq_4_queues = await timeIt(p.reps, async () => {
      const dirs = [0, 1, 2, 3].map((i) => `${home}/nq${k}-${i}`);
      k++;
      await nqQueueAll(dirs, n, ["curl", "--version"]);
    });
  }
  report.results.thousand_jobs = { jobs: n, ...out };
  const floor = out.floor_xargs_p4!.median;
  const tspOver = out.tsp_S4 ? out.tsp_S4.median - floor : null;
  const barnOver = out.barn_batch!.median - floor;
  report.ratio(
    "thousand_jobs_batch_overhead_over_tsp_overhead",
    tspOver ? barnOver / tspOver : null,
    "<= 0.5",
    (v) => v <= 0.5,
  );
  if (out.barn_single_runs && tspOver) {
    report.ratio(
      "thousand_jobs_single_runs_overhead_over_tsp_overhead",
      (out.barn_single_runs.median - floor) / tspOver,
      "(reported)",
      () => true,
    );
  }
  killHome(home);
}
