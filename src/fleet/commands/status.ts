/** barn-fleet status: every host's jobs, merged newest first, with a HOST column and HOST:ID ids. */

import { BarnError } from "../../errors.ts";
import { STATUS_OPTIONS, statusFilter } from "../../cli/commands/status.ts";
import type { FleetCommand } from "../command.ts";
import { perHost } from "../sessions.ts";
import { collectJobs } from "../../client/listing.ts";

export const status: FleetCommand = {
  name: "status",
  summary: "every host's jobs in one table, newest first, with a HOST column",
  usage:
    "barn-fleet --hosts=… status [--tag=T] [--state=S] [--since=DUR|TIME] [--meta KEY=VALUE] " +
    "[--limit=N | --all]",
  example: "barn-fleet --hosts=media-1,media-2 status --state=running",
  options: STATUS_OPTIONS,
  async run(ctx) {
    if (ctx.positionals.length > 0) {
      throw new BarnError("E_USAGE", "barn-fleet status takes no arguments; use describe HOST:ID");
    }
    const filter = statusFilter(ctx);
    const results = await perHost(ctx, (r) => collectJobs(r, filter));
    return await ctx.print({ view: "jobs", results });
  },
};
