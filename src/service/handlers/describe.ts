/** describe: one job, with where its files are and the last lines of its logs. */

import { readText, tailLines } from "../../platform/files.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";
import { parseJson } from "../../json.ts";

/** Bounds on what a tail may carry, so a log without newlines can't make a huge answer. */
const TAIL_BYTES = 256 * 1024;
const LINE_CHARS = 4096;

function clip(line: string): string {
  return line.length <= LINE_CHARS ? line : "…" + line.slice(-LINE_CHARS);
}

/** An ffprobe job's JSON output (`-of json`), parsed, so `describe` carries the analysis itself. */
function ffprobeResult(path: string): unknown {
  try {
    if (Deno.statSync(path).size > 1024 * 1024) return null;
    return parseJson(readText(path));
  } catch {
    return null;
  }
}

export function handleDescribe(
  ctx: HandlerContext,
  req: RequestOf<"describe">,
): ResponseData["describe"] {
  const job = ctx.store.resolve(req.id);
  const lines = req.lines ?? 10;
  return {
    job: {
      ...job,
      ...(job.command[0] === "ffprobe" ? { result: ffprobeResult(job.stdout_path) } : {}),
      stdout_tail: tailLines(job.stdout_path, lines, TAIL_BYTES).map(clip),
      stderr_tail: tailLines(job.stderr_path, lines, TAIL_BYTES).map(clip),
      notifications: ctx.store.notificationsOf(job.job_id),
    },
  };
}
