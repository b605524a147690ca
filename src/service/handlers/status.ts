/**
 * status: jobs newest first, filtered through the store's indexes, streamed in frames of bounded
 * size (records in `jobs` frames, or the printed JSON listing in `text` frames), then the total
 * before the limit.
 */

import { ArrayFrame, TextFrame } from "../../protocol/framing.ts";
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
  const sent = req.text === "json"
    ? await sendText(ctx, req, send)
    : await sendRecords(ctx, req, send);
  const limit = req.filter.limit;
  return { total: limit !== undefined && sent === limit ? ctx.store.count(req.filter) : sent };
}

/** The records in `jobs` frames; how many. */
async function sendRecords(ctx: HandlerContext, req: RequestOf<"status">, send: Send) {
  const frame = new ArrayFrame('{"ok":true,"stream":"jobs","jobs":[', "]}");
  let sent = 0;
  // The store reads a page at a time and holds no read open while a frame is being sent.
  for (const record of ctx.store.iterateRecords(req.filter, "compact")) {
    frame.add(record);
    sent++;
    if (frame.bytes >= FRAME_BUDGET) await send({ frame: frame.take() });
  }
  if (frame.count > 0) await send({ frame: frame.take() });
  return sent;
}

/**
 * The listing as `barn status --output=json` prints it (`JSON.stringify(jobs, null, 2)` and a
 * newline), in `text` frames the client writes out as they come; how many records.
 */
async function sendText(ctx: HandlerContext, req: RequestOf<"status">, send: Send) {
  const frame = new TextFrame();
  let sent = 0;
  for (const record of ctx.store.iterateRecords(req.filter, "indented")) {
    frame.add(sent === 0 ? "[\n" : ",\n");
    frame.add(record);
    sent++;
    if (frame.bytes >= FRAME_BUDGET) await send({ frame: frame.take() });
  }
  frame.add(sent === 0 ? "[]\n" : "\n]\n");
  await send({ frame: frame.take() });
  return sent;
}
