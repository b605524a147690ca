/** barn describe: everything about one job. */

import { excerpt } from "../../escape.ts";
import { BarnError } from "../../errors.ts";
import { checkJobRef } from "../../jobs/ids.ts";
import type { Command } from "../command.ts";
import type { CliContext } from "../context.ts";

export function oneId(ctx: CliContext, cmd: string): string {
  if (ctx.positionals.length !== 1) {
    throw new BarnError(
      "E_USAGE",
      ctx.positionals.length === 0
        ? `missing job id: \`barn ${cmd} <id>\` or \`barn ${cmd} @NAME\` (ids are listed by \`barn status\`)`
        : `barn ${cmd} takes one job id (got ${ctx.positionals.length})`,
    );
  }
  return checkJobRef(ctx.positionals[0]!);
}

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
    const backend = await ctx.backend();
    const { job } = await backend.request({ kind: "describe", id, lines });
    await ctx.print({ view: "job", job });
    return 0;
  },
};
