/** status: jobs newest first, filtered through the store's indexes, streamed in frames of bounded size, then the total before the limit. */

import { ArrayFrame } from "../../protocol/framing.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext, Send } from "../context.ts";
import { checkMetaKey } from "../../jobs/meta.ts";

/** Bytes of records per frame: far under the frame cap whatever they hold, and few frames. */
const FRAME_BUDGET = 256 * 1024;

export async function handleStatus(
  ctx: HandlerContext,
  req: RequestOf<"status">,
  send: Send,
): Promise<ResponseData["status"]> {
  for (const m of req.filter.meta ?? []) checkMetaKey(m.key);
  const frame = new ArrayFrame('{"ok":true,"stream":"jobs","jobs":[', "]}");
  let sent = 0;
  // The store reads a page at a time and holds no read open while a frame is being sent.
  for (const record of ctx.store.iterateJson(req.filter)) {
    frame.add(record);
    sent++;
    if (frame.bytes >= FRAME_BUDGET) await send({ frame: frame.take() });
  }
  if (frame.count > 0) await send({ frame: frame.take() });
  const limit = req.filter.limit;
  return { total: limit !== undefined && sent === limit ? ctx.store.count(req.filter) : sent };
}
