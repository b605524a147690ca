/**
 * Row 4: `barn status --output=json --all` over 10k jobs against `tsp -l` over as many, timed
 * round-robin; first, one run of each for peak memory: the client's (GNU time) and the
 * service's or server's (VmHWM, reset just before).
 */

import { barnDaemons, DENO, MAIN, seedHistory, tempHome, withService } from "../lib/barn.ts";
import { peakRssOf, startTsp, tspEnv } from "../lib/peers.ts";
import { peakRss, resetPeak, rssNow } from "../lib/procs.ts";
import { reap } from "../lib/reaper.ts";
import type { Bench } from "../lib/report.ts";
import { sh } from "../lib/sh.ts";
import { interleaved } from "../lib/timing.ts";

/** One run of `argv` with the peak RSS of its client process and of `server`, bytes. */
async function peakMemory(
  server: number,
  argv: string[],
  env: Record<string, string>,
): Promise<Record<string, number>> {
  const before = rssNow(server);
  resetPeak(server);
  const client = await peakRssOf(argv, env);
  return {
    client_peak_rss: client,
    server_rss_before: before,
    server_peak_rss: peakRss(server),
  };
}

export async function fullListing({ p, peers, report }: Bench): Promise<void> {
  const n = p.listing;
  const home = tempHome("list");
  await seedHistory(home, n);
  const tsp = { ...tspEnv(home, n + 10), TS_SLOTS: "4" };
  const out: Record<string, unknown> = { jobs: n };
  const tspServer = peers.tsp ? await startTsp(tsp) : null;
  if (peers.tsp) await reap(n, ["tsp", "true"], { env: tsp }); // returns when every job has ended
  const barnArgv = [DENO, "run", "-q", "-P=barn", MAIN, "status", "--output=json", "--all"];
  await withService(home, { max_parallel: 4 }, async () => {
    // Memory first, from a service that has served no listing yet.
    if (!peers.gnuTime) throw new Error("GNU time (/usr/bin/time) is needed for peak memory");
    const memory: Record<string, Record<string, number>> = {};
    const service = barnDaemons(home).service[0];
    if (!service) throw new Error("the barn service is not running");
    memory.barn = await peakMemory(service.pid, barnArgv, { BARN_HOME: home });
    if (tspServer !== null) memory.tsp = await peakMemory(tspServer, ["tsp", "-l"], tsp);
    out.memory = memory;
    const cmds: Record<string, string[]> = { barn_status_json_all: barnArgv };
    if (peers.tsp) cmds.tsp_l = ["tsp", "-l"];
    Object.assign(
      out,
      await interleaved(cmds, Math.max(p.reps * 2, 5), { BARN_HOME: home, ...tsp }),
    );
  });
  if (peers.tsp) await sh(["tsp", "-K"], tsp);
  report.results.full_listing = out;
  const r = out as Record<string, { median: number } | undefined>;
  report.ratio(
    "full_listing_barn_over_tsp",
    r.tsp_l && r.barn_status_json_all ? r.barn_status_json_all.median / r.tsp_l.median : null,
    "<= 2",
    (v) => v <= 2,
  );
}
