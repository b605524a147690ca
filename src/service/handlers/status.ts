/** status: jobs newest first, filtered through the store's indexes. */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";

export function handleStatus(ctx: HandlerContext, req: RequestOf<"status">): ResponseData["status"] {
  return { jobs: ctx.store.list(req.filter) };
}
