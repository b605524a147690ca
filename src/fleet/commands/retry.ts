/** barn-fleet retry: run a job's command again, on the job's own host, as a new job. */

import type { FleetCommand } from "../command.ts";
import { perId } from "../sessions.ts";

export const retry: FleetCommand = {
  name: "retry",
  summary: "run a job's command again on its host, by HOST:ID",
  usage: "barn-fleet retry HOST:ID…",
  example: "barn-fleet retry media-1:k3f9",
  options: {},
  async run(ctx) {
    const results = await perId(ctx, "retry", async (r, id) => ({
      job: (await r.request({ kind: "retry", id })).job,
      duplicate: false,
    }));
    return await ctx.print({ view: "submitted", results });
  },
};
