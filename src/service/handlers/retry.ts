/** retry: a new job with the original's command, tag, cwd and timeout; never held, no key. */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";
import { handleSubmit } from "./submit.ts";

export function handleRetry(ctx: HandlerContext, req: RequestOf<"retry">): ResponseData["retry"] {
  const orig = ctx.store.resolve(req.id);
  const { jobs } = handleSubmit(ctx, {
    kind: "submit",
    jobs: [{
      command: orig.command,
      cwd: orig.cwd,
      tag: orig.tag,
      timeout_seconds: orig.timeout_seconds,
      retry_of: orig.job_id,
    }],
  });
  return { job: jobs[0]!.job };
}
