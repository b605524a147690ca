/** Row 4: `barn status --output=json --all` over 10k jobs against `tsp -l` over as many. */

import { barnLine, seedHistory, tempHome, withService } from "../lib/barn.ts";
import { tspEnv, tspQueueAll } from "../lib/peers.ts";
import type { Bench } from "../lib/report.ts";
import { sh } from "../lib/sh.ts";
import type { Stat } from "../lib/stats.ts";
import { hyperfine } from "../lib/timing.ts";

export async function fullListing({ p, peers, report }: Bench): Promise<void> {
  const n = p.listing;
  const home = tempHome("list");
  await seedHistory(home, n);
  const r: Record<string, Stat> = {};
  await withService(home, { max_parallel: 4 }, async () => {
    if (peers.hyperfine) {
      Object.assign(
        r,
        await hyperfine(
          { barn_status_json_all: `${barnLine} status --output=json --all` },
          Math.max(p.reps * 2, 5),
          { BARN_HOME: home },
        ),
      );
    }
  });
  if (peers.tsp && peers.hyperfine) {
    const env = { ...tspEnv(home, n + 10), TS_SLOTS: "4" };
    await sh(["tsp", "-K"], env);
    await sh(["tsp", "-S", "4"], env);
    await tspQueueAll(env, n, ["true"], 300_000);
    Object.assign(r, await hyperfine({ tsp_l: "tsp -l" }, Math.max(p.reps * 2, 5), env));
    await sh(["tsp", "-K"], env);
  }
  report.results.full_listing = { jobs: n, ...r };
  report.ratio(
    "full_listing_barn_over_tsp",
    r.tsp_l && r.barn_status_json_all ? r.barn_status_json_all.median / r.tsp_l.median : null,
    "(reported)",
    () => true,
  );
}
