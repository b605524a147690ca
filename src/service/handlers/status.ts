/**
 * status: jobs newest first, filtered through the store's indexes, streamed in frames of bounded
 * size (records in `jobs` frames, or the printed JSON listing in `text` frames), then the total
 * before the limit.
 */

import { ArrayFrame, MAX_FRAME_BYTES, TextFrame } from "../../protocol/framing.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext, Send } from "../context.ts";
import { checkMetaKey } from "../../jobs/meta.ts";

/** Bytes of records per frame: far under the frame cap whatever they hold, and few frames. */
const FRAME_BUDGET = 256 * 1024;
/**
 * Characters of records joined before they are encoded into the frame: fewer encodes than one
 * per record, and little kept alive (the service's 1 MiB young generation makes a longer string
 * survive collections: 256 KiB at once measured slower than one encode per record).
 */
const ENCODE_BATCH = 8 * 1024;

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
  const add = async (records: string) => {
    // A record of megabytes (a batch line may hold one) goes into a frame of its own.
    if (frame.count > 0 && frame.bytes + records.length * 3 > MAX_FRAME_BYTES) {
      await send({ frame: frame.take() });
    }
    frame.add(records);
    if (frame.bytes >= FRAME_BUDGET) await send({ frame: frame.take() });
  };
  let sent = 0;
  let records = "";
  // The store reads a page at a time and holds no read open while a frame is being sent.
  for (const record of ctx.store.iterateRecords(req.filter, "compact")) {
    sent++;
    // Records are joined up to ENCODE_BATCH characters; a longer one is added alone.
    if (records && records.length + record.length >= ENCODE_BATCH) {
      await add(records);
      records = "";
    }
    records += records ? "," + record : record;
    if (records.length >= ENCODE_BATCH) {
      await add(records);
      records = "";
    }
  }
  if (records) frame.add(records);
  if (frame.count > 0) await send({ frame: frame.take() });
  return sent;
}

/** Characters of text a TextFrame takes at once: at most 3 bytes each, far under the frame cap. */
const TEXT_CHUNK = 256 * 1024;

/** Adds text to the frame a chunk at a time, sending the frame whenever it holds FRAME_BUDGET. */
async function addText(frame: TextFrame, text: string, send: Send): Promise<void> {
  for (let at = 0; at < text.length;) {
    let end = Math.min(at + TEXT_CHUNK, text.length);
    // A surrogate pair stays in one chunk: its halves encoded apart would print as two U+FFFD.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    frame.add(at === 0 && end === text.length ? text : text.slice(at, end));
    at = end;
    if (frame.bytes >= FRAME_BUDGET) await send({ frame: frame.take() });
  }
}

/** Bytes a TextFrame takes at once: as many as TEXT_CHUNK characters may encode to. */
const BYTES_CHUNK = TEXT_CHUNK * 3;

/** Adds stored text to the frame, a chunk at a time past BYTES_CHUNK, sending full frames. */
async function addBytes(frame: TextFrame, bytes: Uint8Array, send: Send): Promise<void> {
  for (let at = 0; at < bytes.length;) {
    let end = Math.min(at + BYTES_CHUNK, bytes.length);
    // A character stays in one chunk (as addText keeps a surrogate pair): back off its continuation bytes.
    let cut = end;
    while (cut < bytes.length && cut > at && (bytes[cut]! & 0xc0) === 0x80) cut--;
    if (cut > at) end = cut; // text that is not UTF-8 (a text edited by hand) still moves on
    frame.addBytes(bytes.subarray(at, end));
    at = end;
    if (frame.bytes >= FRAME_BUDGET) await send({ frame: frame.take() });
  }
}

const FIRST = new TextEncoder().encode("[\n");
const NEXT = new TextEncoder().encode(",\n");

/**
 * The listing as `barn status --output=json` prints it (`JSON.stringify(jobs, null, 2)` and a
 * newline), in `text` frames the client writes out as they come; how many records. A record
 * its row keeps as text goes in as those bytes, its paths between them; others are built.
 */
async function sendText(ctx: HandlerContext, req: RequestOf<"status">, send: Send) {
  const frame = new TextFrame();
  let sent = 0;
  let text = "";
  for (const record of ctx.store.iterateListing(req.filter)) {
    if (typeof record === "string") {
      text += (sent === 0 ? "[\n" : ",\n") + record;
      sent++;
      if (text.length >= ENCODE_BATCH) {
        await addText(frame, text, send);
        text = "";
      }
      continue;
    }
    if (text) {
      await addText(frame, text, send);
      text = "";
    }
    frame.addBytes(sent === 0 ? FIRST : NEXT);
    sent++;
    const { head, id, paths, tail } = record;
    // Most records are a kilobyte: copied without awaiting; a huge one goes in by chunks.
    if (head.length > BYTES_CHUNK) await addBytes(frame, head, send);
    else frame.addBytes(head);
    // The paths: this home's texts around the id (barn's alphabet, ASCII), no encoding per record.
    frame.addBytes(paths[0]!);
    frame.addAscii(id);
    frame.addBytes(paths[1]!);
    frame.addAscii(id);
    frame.addBytes(paths[2]!);
    frame.addAscii(id);
    frame.addBytes(paths[3]!);
    if (tail.length > BYTES_CHUNK) await addBytes(frame, tail, send);
    else frame.addBytes(tail);
    if (frame.bytes >= FRAME_BUDGET) await send({ frame: frame.take() });
  }
  await addText(frame, text + (sent === 0 ? "[]\n" : "\n]\n"), send);
  if (frame.bytes > 0) await send({ frame: frame.take() });
  return sent;
}
