/** release: start every job held on a latch. */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";

export function handleRelease(
  ctx: HandlerContext,
  req: RequestOf<"release">,
): ResponseData["release"] {
  const jobs = ctx.store.release(req.latch);
  ctx.jobs.dispatch();
  ctx.changes.notify();
  return { jobs };
}
