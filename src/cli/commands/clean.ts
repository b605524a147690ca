/** barn clean: remove finished jobs: the default sweep, named jobs, or a filter; --dry-run shows what would go. */

import { excerpt } from "../../escape.ts";
import { BarnError } from "../../errors.ts";
import { parseDuration } from "../../config/duration.ts";
import { checkJobRef } from "../../jobs/ids.ts";
import type { CleanRequest } from "../../protocol/messages.ts";
import type { Command } from "../command.ts";

const STATES = ["succeeded", "failed", "canceled"] as const;

export const clean: Command = {
  name: "clean",
  summary: "remove finished jobs and their files: by default succeeded and canceled ones, and " +
    "failed ones older than max_age",
  usage: "barn clean [<id|@NAME>… | [--tag=T] [--state=S] [--older-than=DUR]] [--dry-run] " +
    "[--output=F]",
  example: "barn clean --tag=nightly --state=succeeded --older-than=2d --dry-run",
  options: {
    tag: { type: "string" },
    state: { type: "string" },
    "older-than": { type: "string" },
    "dry-run": { type: "boolean" },
  },
  async run(ctx) {
    const req: CleanRequest = { kind: "clean" };
    if (ctx.positionals.length > 0) req.ids = ctx.positionals.map(checkJobRef);
    const tag = ctx.str("tag");
    if (tag !== undefined) req.tag = tag;
    const state = ctx.str("state");
    if (state !== undefined) {
      if (!(STATES as readonly string[]).includes(state)) {
        throw new BarnError(
          "E_USAGE",
          `clean --state must be ${STATES.join(", ")} (got '${excerpt(state)}'): ` +
            "clean never removes a queued or running job",
        );
      }
      req.state = state as typeof STATES[number];
    }
    const older = ctx.str("older-than");
    if (older !== undefined) req.older_than_seconds = parseDuration(older, "--older-than");
    if (req.ids && (tag !== undefined || state !== undefined || older !== undefined)) {
      throw new BarnError(
        "E_USAGE",
        "give job ids or --tag/--state/--older-than, not both",
      );
    }
    if (ctx.flag("dry-run")) req.dry_run = true;
    const backend = await ctx.backend();
    const { removed, dry_run } = await backend.request(req);
    await ctx.print({ view: "clean", removed, dry_run: dry_run === true });
    return 0;
  },
};
