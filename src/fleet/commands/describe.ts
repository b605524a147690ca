/** barn-fleet describe: jobs by HOST:ID, each from its own host. */

import { BarnError } from "../../errors.ts";
import type { FleetCommand } from "../command.ts";
import { perId } from "../per_id.ts";

export const describe: FleetCommand = {
  name: "describe",
  summary: "one job by HOST:ID: record, files, last lines of its logs",
  usage: "barn-fleet describe HOST:ID… [--lines=N]",
  example: "barn-fleet describe media-1:k3f9",
  options: { lines: { type: "string", short: "n" } },
  async run(ctx) {
    const text = ctx.str("lines");
    const lines = text === undefined ? 10 : Number(text);
    if (!Number.isInteger(lines) || lines < 0 || lines > 10000) {
      throw new BarnError(
        "E_USAGE",
        `--lines must be a whole number from 0 to 10000 (got '${text}')`,
      );
    }
    const results = await perId(
      ctx,
      "describe",
      (r, id) => r.request({ kind: "describe", id, lines }),
    );
    return await ctx.print({ view: "job", results });
  },
};
