/** barn wait: block until jobs end; one job's code passes through, several give 0 only if all succeeded. */

import { BarnError } from "../../errors.ts";
import { parseDuration } from "../../config/duration.ts";
import { BARN_EXIT, exitCodeFor } from "../../jobs/exit_codes.ts";
import { checkJobRef } from "../../jobs/ids.ts";
import type { Command } from "../command.ts";
import { withReconnect } from "../reconnect.ts";

export const wait: Command = {
  name: "wait",
  summary: "wait for jobs to finish; exits with the job's code (one job) or 0 if all succeeded",
  usage: "barn wait <id|@NAME…> | --tag=T [--timeout=DUR] [--output=F]",
  example: "barn wait k3f9 --timeout=10m && echo done",
  options: { tag: { type: "string" }, timeout: { type: "string" } },
  async run(ctx) {
    const ids = ctx.positionals.map(checkJobRef);
    const tag = ctx.str("tag");
    if (ids.length === 0 && tag === undefined) {
      throw new BarnError("E_USAGE", "give job ids or --tag to wait for, e.g. `barn wait k3f9`");
    }
    const t = ctx.str("timeout");
    const timeout = t === undefined ? undefined : parseDuration(t, "--timeout");
    const deadline = timeout === undefined ? undefined : Date.now() + timeout * 1000;
    const res = await withReconnect(ctx, async () => {
      const left = deadline === undefined
        ? undefined
        : Math.max(0.001, (deadline - Date.now()) / 1000);
      const backend = await ctx.backend();
      return await backend.stream({ kind: "wait", ids, tag, timeout_seconds: left }, () => {});
    });
    await ctx.print({ view: "jobs", jobs: res.jobs });
    if (res.timed_out) {
      if (ctx.format === "human") {
        const open = res.jobs.filter((j) => j.state === "queued" || j.state === "running").length;
        console.error(
          `barn: wait timed out with ${open} job(s) unfinished; they keep running [E_WAIT_TIMEOUT]`,
        );
      }
      return BARN_EXIT.E_WAIT_TIMEOUT;
    }
    if (res.jobs.length === 1) return exitCodeFor(res.jobs[0]!.exit_code);
    return res.jobs.every((j) => j.state === "succeeded") ? 0 : 1;
  },
};
