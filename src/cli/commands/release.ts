/** barn release: start every job held with --pending=LATCH. */

import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";

export const release: Command = {
  name: "release",
  summary: "start every job held on a latch (see `barn run --pending=LATCH`)",
  usage: "barn release <latch> [--output=F]",
  example: "barn release nightly",
  options: {},
  async run(ctx) {
    if (ctx.positionals.length !== 1) {
      throw new BarnError("E_USAGE", "give one latch name: `barn release <latch>`");
    }
    const { jobs } = await (await ctx.backend()).request({
      kind: "release",
      latch: ctx.positionals[0]!,
    });
    await ctx.print({ view: "jobs", jobs });
    return 0;
  },
};
