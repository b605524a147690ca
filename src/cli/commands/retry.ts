/** barn retry: run a job's command again as a new job (retry_of points back). */

import type { Command } from "../command.ts";
import { oneId } from "../job_args.ts";

export const retry: Command = {
  name: "retry",
  summary: "submit a job's command again as a new job; the original is untouched",
  usage: "barn retry <id|@NAME> [--output=F]",
  example: "barn retry k3f9",
  options: {},
  async run(ctx) {
    const id = oneId(ctx, "retry");
    const { job } = await (await ctx.backend()).request({ kind: "retry", id });
    if (ctx.format === "human") {
      await ctx.print({ view: "submitted", jobs: [{ job, duplicate: false }] });
    } else await ctx.print({ view: "job", job });
    return 0;
  },
};
