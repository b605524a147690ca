/** barn status: all jobs, newest first. */

import { BarnError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../../jobs/job.ts";
import type { Command } from "../command.ts";

export const status: Command = {
  name: "status",
  summary: "list jobs, newest first",
  usage: "barn status [--tag=T] [--state=S] [--output=F]",
  example: "barn status --state=running --output=json",
  options: { tag: { type: "string" }, state: { type: "string" } },
  async run(ctx) {
    if (ctx.positionals.length > 0) {
      throw new BarnError("E_USAGE", `barn status takes no arguments (got '${ctx.positionals[0]}'); use \`barn describe <id>\` for one job`);
    }
    const state = ctx.str("state");
    if (state !== undefined && !(JOB_STATES as readonly string[]).includes(state)) {
      throw new BarnError("E_USAGE", `--state must be one of ${JOB_STATES.join(", ")} (got '${state}')`);
    }
    const backend = await ctx.backend();
    const { jobs } = await backend.request({
      kind: "status",
      filter: { state: state as JobState | undefined, tag: ctx.str("tag") },
    });
    await ctx.print({ view: "jobs", jobs });
    return 0;
  },
};
