/** barn-fleet wait: wait for HOST:ID jobs, one session per host; one job's code passes through, as with barn wait. */

import { BARN_EXIT, exitCodeFor } from "../../jobs/exit_codes.ts";
import type { Job } from "../../jobs/job.ts";
import type { FleetCommand } from "../command.ts";
import { fanOut } from "../fan_out.ts";
import type { Host } from "../inventory.ts";
import { qualifiedIds } from "../sessions.ts";
import { withRemote } from "../remote.ts";

/** Time for a host's own `timed_out` answer to arrive after its wait ends. */
const ANSWER_GRACE_SECONDS = 15;

export const wait: FleetCommand = {
  name: "wait",
  summary: "wait for jobs (HOST:ID …) on their hosts; exits with the job's code",
  usage: "barn-fleet wait HOST:ID… [--timeout=DUR]",
  example: "barn-fleet wait media-1:k3f9 media-2:x8p2 --timeout=1h",
  options: {},
  async run(ctx) {
    const targets = await qualifiedIds(ctx, "wait");
    const groups = new Map<string, { host: Host; ids: string[] }>();
    for (const t of targets) {
      const g = groups.get(t.host.name) ?? { host: t.host, ids: [] };
      g.ids.push(t.id);
      groups.set(t.host.name, g);
    }
    const fan = ctx.fanOptions(null);
    const limit = fan.timeoutSeconds;
    const settings = ctx.settings;
    const results = await fanOut(
      [...groups.values()],
      (g) => g.host.name,
      { ...fan, timeoutSeconds: limit === null ? null : limit + ANSWER_GRACE_SECONDS },
      (g, signal) =>
        withRemote(g.host, settings, signal, async (r) => {
          const res = await r.stream(
            { kind: "wait", ids: g.ids, timeout_seconds: limit ?? undefined },
            () => {},
          );
          return { jobs: res.jobs, timed_out: res.timed_out };
        }),
    );
    const code = await ctx.print({ view: "jobs", results });
    if (code !== 0) return code;
    const jobs: Job[] = results.flatMap((r) => (r.ok ? r.jobs : []));
    if (results.some((r) => r.ok && r.timed_out)) return BARN_EXIT.E_WAIT_TIMEOUT;
    if (jobs.length === 1) return exitCodeFor(jobs[0]!.exit_code);
    return jobs.every((j) => j.state === "succeeded") ? 0 : 1;
  },
};
