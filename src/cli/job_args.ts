/** The arguments of commands about one stored job. */

import { BarnError } from "../errors.ts";
import { checkJobRef } from "../jobs/ids.ts";

/** The one job id (or @NAME) of `barn <cmd>`. */
export function oneId(ctx: { positionals: readonly string[] }, cmd: string): string {
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
