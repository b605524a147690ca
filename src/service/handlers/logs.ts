/** logs: a job's log text, from its start or its last lines, followed until the job ends when asked (barn-fleet's `logs`). */

import { isFinished } from "../../jobs/job.ts";
import { concatBytes, copyRange, fileSize, readTail, tailWindow } from "../../platform/files.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext, Send } from "../context.ts";

/** Bytes per frame, far below the frame cap. */
const CHUNK = 64 * 1024;
const POLL_MS = 200;

interface LogCursor {
  which: "stdout" | "stderr";
  path: string;
  offset: number;
  decoder: TextDecoder;
}

async function readChunk(path: string, from: number, to: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  await copyRange(path, from, to, {
    write(p) {
      parts.push(p.slice());
      return Promise.resolve(p.length);
    },
  });
  return concatBytes(parts);
}

/** Sends what each log gained since its cursor. */
async function pump(cursors: LogCursor[], send: Send): Promise<void> {
  for (const c of cursors) {
    const size = fileSize(c.path);
    if (size < c.offset) {
      // The log was compacted at its cap: its middle is gone, go on from its new end.
      const text = "\n[barn: log compacted at max_log_bytes; following its tail]\n";
      await send({ ok: true, stream: "log", which: c.which, text });
      c.offset = size;
      continue;
    }
    while (c.offset < size) {
      const bytes = await readChunk(c.path, c.offset, Math.min(size, c.offset + CHUNK));
      if (bytes.length === 0) break;
      c.offset += bytes.length;
      // A streaming decoder never splits a UTF-8 sequence across frames.
      const text = c.decoder.decode(bytes, { stream: true });
      if (text) await send({ ok: true, stream: "log", which: c.which, text });
    }
  }
}

export async function handleLogs(
  ctx: HandlerContext,
  req: RequestOf<"logs">,
  send: Send,
): Promise<ResponseData["logs"]> {
  let job = ctx.store.resolve(req.id);
  const whiches: ("stdout" | "stderr")[] = req.which === "both"
    ? ["stdout", "stderr"]
    : [req.which];
  const cursors: LogCursor[] = whiches.map((which) => {
    const path = which === "stdout" ? job.stdout_path : job.stderr_path;
    return {
      which,
      path,
      // Where the tail starts, found within a bounded window whatever the content (case 11).
      offset: req.tail === undefined ? 0 : readTail(path, req.tail, tailWindow(req.tail)).start,
      decoder: new TextDecoder(),
    };
  });
  for (;;) {
    const finished = isFinished(job.state);
    await pump(cursors, send);
    if (!req.follow || finished) break;
    await ctx.changes.wait(POLL_MS);
    job = ctx.store.get(job.job_id) ?? job;
  }
  for (const c of cursors) {
    const rest = c.decoder.decode();
    if (rest) await send({ ok: true, stream: "log", which: c.which, text: rest });
  }
  return { job };
}
