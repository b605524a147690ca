/** barn describe: everything about one job. */

import { excerpt } from "../../escape.ts";
import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";
import { oneId } from "../job_args.ts";

export const describe: Command = {
  name: "describe",
  summary: "show one job: record, files and the last lines of its logs",
  usage: "barn describe <id|@NAME> [--lines=N] [--output=F]",
  example: "barn describe k3f9",
  options: { lines: { type: "string", short: "n" } },
  async run(ctx) {
    const id = oneId(ctx, "describe");
    const linesText = ctx.str("lines");
    const lines = linesText === undefined ? 10 : Number(linesText);
    if (!Number.isInteger(lines) || lines < 0 || lines > 10000) {
      throw new BarnError(
        "E_USAGE",
        `--lines must be a whole number from 0 to 10000 (got '${excerpt(linesText)}')`,
      );
    }
    const backend = await ctx.readBackend();
    const { job } = await backend.request({ kind: "describe", id, lines });
    await ctx.print({ view: "job", job });
    return 0;
  },
};
