/** clean: remove finished jobs (failed ones only past max_age), records and job dirs. */

import type { ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";

export function handleClean(ctx: HandlerContext): ResponseData["clean"] {
  const cutoff = new Date(Date.now() - ctx.config().max_age_seconds * 1000).toISOString();
  return { removed: ctx.store.clean(cutoff) };
}
