/** barn-fleet describe: jobs by HOST:ID, each from its own host. */

import { linesOption } from "../../cli/job_args.ts";
import type { FleetCommand } from "../command.ts";
import { perId } from "../sessions.ts";

export const describe: FleetCommand = {
  name: "describe",
  summary: "one job by HOST:ID: record, files, last lines of its logs",
  usage: "barn-fleet describe HOST:ID… [--lines=N]",
  example: "barn-fleet describe media-1:k3f9",
  options: { lines: { type: "string", short: "n" } },
  async run(ctx) {
    const lines = linesOption(ctx);
    const results = await perId(
      ctx,
      "describe",
      (r, id) => r.request({ kind: "describe", id, lines }),
    );
    return await ctx.print({ view: "job", results });
  },
};
