/** describe: one job, with where its files are and the last lines of its logs. */

import { tailLines } from "../../platform/files.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";

export function handleDescribe(ctx: HandlerContext, req: RequestOf<"describe">): ResponseData["describe"] {
  const job = ctx.store.resolve(req.id);
  const lines = req.lines ?? 10;
  return {
    job: {
      ...job,
      stdout_tail: tailLines(job.stdout_path, lines),
      stderr_tail: tailLines(job.stderr_path, lines),
    },
  };
}
