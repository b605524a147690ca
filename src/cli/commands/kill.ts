/** barn kill: cancel a queued job, or stop a running one (TERM, grace, KILL). */

import type { Command } from "../command.ts";
import { oneId } from "../job_args.ts";

export const kill: Command = {
  name: "kill",
  summary: "cancel a job: its whole process tree gets SIGTERM, then SIGKILL after the grace period",
  usage: "barn kill <id|@NAME> [--output=F]",
  example: "barn kill k3f9",
  options: {},
  async run(ctx) {
    const id = oneId(ctx, "kill");
    const backend = await ctx.backend();
    const { job } = await backend.request({ kind: "kill", id });
    await ctx.print({ view: "job", job });
    return 0;
  },
};
