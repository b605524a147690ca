/** barn clean: remove finished jobs. */

import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";

export const clean: Command = {
  name: "clean",
  summary: "remove succeeded and canceled jobs, and failed ones older than max_age",
  usage: "barn clean [--output=F]",
  example: "barn clean --output=json",
  options: {},
  async run(ctx) {
    if (ctx.positionals.length > 0) throw new BarnError("E_USAGE", "barn clean takes no arguments");
    const backend = await ctx.backend();
    const { removed } = await backend.request({ kind: "clean" });
    await ctx.print({ view: "clean", removed });
    return 0;
  },
};
