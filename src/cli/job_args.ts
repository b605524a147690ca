/** The arguments of commands about one stored job: its id, and how many log lines describe and logs show (barn-fleet's read the same). */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import { checkJobRef } from "../jobs/ids.ts";
import type { OptionSpecs } from "./args.ts";

type Options = { str(name: string): string | undefined };

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

/** describe's --lines: how many last lines of each log it shows (10 by default). */
export function linesOption(opts: Options): number {
  const text = opts.str("lines");
  const lines = text === undefined ? 10 : Number(text);
  if (!Number.isInteger(lines) || lines < 0 || lines > 10000) {
    throw new BarnError(
      "E_USAGE",
      `--lines must be a whole number from 0 to 10000 (got '${excerpt(text)}')`,
    );
  }
  return lines;
}

/** logs' options: follow, the tail's length, which stream. */
export const LOGS_OPTIONS: OptionSpecs = {
  follow: { type: "boolean", short: "f" },
  lines: { type: "string", short: "n" },
  tail: { type: "string" },
  stdout: { type: "boolean" },
  stderr: { type: "boolean" },
  raw: { type: "boolean" },
};

/** logs' --tail (or -n): the last N lines only; undefined for the whole log. */
export function tailOption(opts: Options): number | undefined {
  const text = opts.str("tail") ?? opts.str("lines");
  const n = text === undefined ? undefined : Number(text);
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
    throw new BarnError(
      "E_USAGE",
      `--tail must be a whole number of lines (got '${excerpt(text)}')`,
    );
  }
  return n;
}
