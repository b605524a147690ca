/** status: jobs newest first, filtered through the store's indexes, with the total before the limit. */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";
import { checkMetaKey } from "../../jobs/meta.ts";

export function handleStatus(
  ctx: HandlerContext,
  req: RequestOf<"status">,
): ResponseData["status"] {
  for (const m of req.filter.meta ?? []) checkMetaKey(m.key);
  const jobs = ctx.store.list(req.filter);
  const total = req.filter.limit && jobs.length === req.filter.limit
    ? ctx.store.count(req.filter)
    : jobs.length;
  return { jobs, total };
}
