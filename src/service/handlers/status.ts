/** status: jobs newest first, filtered through the store's indexes, streamed in frames of bounded size, then the total before the limit. */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext, Send } from "../context.ts";

/** Characters of records per frame: far under the frame cap whatever they hold, and few frames. */
export const FRAME_BUDGET = 256 * 1024;

export async function handleStatus(
  ctx: HandlerContext,
  req: RequestOf<"status">,
  send: Send,
): Promise<ResponseData["status"]> {
  let chunk: string[] = [];
  let size = 0;
  let sent = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const json = `{"ok":true,"stream":"jobs","jobs":[${chunk.join(",")}]}`;
    chunk = [];
    size = 0;
    await send({ json });
  };
  // The store reads a page at a time and holds no read open while a frame is being sent.
  for (const record of ctx.store.iterateJson(req.filter)) {
    chunk.push(record);
    size += record.length;
    sent++;
    if (size >= FRAME_BUDGET) await flush();
  }
  await flush();
  const limit = req.filter.limit;
  return { total: limit !== undefined && sent === limit ? ctx.store.count(req.filter) : sent };
}
