/** barn describe: everything about one job. */

import type { Command } from "../command.ts";
import { linesOption, oneId } from "../job_args.ts";

export const describe: Command = {
  name: "describe",
  summary: "show one job: record, files and the last lines of its logs",
  usage: "barn describe <id|@NAME> [--lines=N] [--output=F]",
  example: "barn describe k3f9",
  options: { lines: { type: "string", short: "n" } },
  async run(ctx) {
    const id = oneId(ctx, "describe");
    const lines = linesOption(ctx);
    const backend = await ctx.readBackend();
    const { job } = await backend.request({ kind: "describe", id, lines });
    await ctx.print({ view: "job", job });
    return 0;
  },
};
