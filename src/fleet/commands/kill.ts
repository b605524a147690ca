/** barn-fleet kill: cancel jobs by HOST:ID, each on its own host. */

import type { FleetCommand } from "../command.ts";
import { perId } from "../sessions.ts";

export const kill: FleetCommand = {
  name: "kill",
  summary: "cancel jobs by HOST:ID (TERM to the job's process group, KILL after the grace)",
  usage: "barn-fleet kill HOST:ID…",
  example: "barn-fleet kill media-1:k3f9",
  options: {},
  async run(ctx) {
    const results = await perId(ctx, "kill", (r, id) => r.request({ kind: "kill", id }));
    return await ctx.print({ view: "job", results });
  },
};
