/** clean: remove finished jobs (records and job dirs): the default sweep, named jobs, or a filter. */

import { BarnError } from "../../errors.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { CleanSelection } from "../../store/clean.ts";
import type { HandlerContext } from "../context.ts";

function selection(ctx: HandlerContext, req: RequestOf<"clean">): CleanSelection {
  const filtered = req.tag !== undefined || req.state !== undefined ||
    req.older_than_seconds !== undefined;
  if (req.ids !== undefined) {
    if (filtered) {
      throw new BarnError(
        "E_USAGE",
        "clean takes job ids or --tag/--state/--older-than, not both",
      );
    }
    return { kind: "ids", ids: req.ids };
  }
  if (!filtered) {
    const cutoff = Date.now() - ctx.config().max_age_seconds * 1000;
    return { kind: "default", failedBefore: new Date(cutoff).toISOString() };
  }
  return {
    kind: "filter",
    tag: req.tag,
    state: req.state,
    finishedBefore: req.older_than_seconds === undefined
      ? undefined
      : new Date(Date.now() - req.older_than_seconds * 1000).toISOString(),
  };
}

export function handleClean(
  ctx: HandlerContext,
  req: RequestOf<"clean">,
): ResponseData["clean"] {
  const dryRun = req.dry_run === true;
  const removed = ctx.store.clean(selection(ctx, req), dryRun);
  if (!dryRun && removed.length > 0) ctx.changes.notify();
  return { removed, dry_run: dryRun };
}
