/** Row 3: submit and `status --state=running` on a store of 100k finished jobs against an empty one. */

import { DENO, MAIN, seedHistory, tempHome, withService } from "../lib/barn.ts";
import type { Bench } from "../lib/report.ts";
import { interleaved } from "../lib/timing.ts";

export async function historyGrowth({ p, report }: Bench): Promise<void> {
  const empty = tempHome("hist0");
  const full = tempHome("histN");
  await seedHistory(full, p.history);
  // Both services run at once, and the commands alternate round by round: only the home
  // differs, and the machine's drift hits both sides alike.
  const barnIn = (home: string, ...a: string[]) => [
    "env",
    `BARN_HOME=${home}`,
    DENO,
    "run",
    "-q",
    "-P=barn",
    MAIN,
    ...a,
  ];
  const r = await withService(
    empty,
    { max_parallel: 4 },
    () =>
      withService(full, { max_parallel: 4 }, () =>
        interleaved(
          {
            submit_empty: barnIn(empty, "run", "--pending=bench", "curl", "--version"),
            submit_full: barnIn(full, "run", "--pending=bench", "curl", "--version"),
            status_running_empty: barnIn(empty, "status", "--state=running"),
            status_running_full: barnIn(full, "status", "--state=running"),
          },
          Math.max(p.reps * 6, 15),
          {},
        )),
  );
  report.results.history_growth = { history_jobs: p.history, ...r };
  if (r.submit_empty && r.submit_full) {
    report.ratio(
      "history_submit_full_over_empty",
      r.submit_full.median / r.submit_empty.median,
      "<= 1.10",
      (v) => v <= 1.1,
    );
    report.ratio(
      "history_status_running_full_over_empty",
      r.status_running_full!.median / r.status_running_empty!.median,
      "<= 1.20",
      (v) => v <= 1.2,
    );
  }
}
