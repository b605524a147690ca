/** kill: cancel a queued job at once, or stop a running one's whole process tree through its supervisor. */

import { BarnError } from "../../errors.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";

export async function handleKill(
  ctx: HandlerContext,
  req: RequestOf<"kill">,
): Promise<ResponseData["kill"]> {
  try {
    return await kill(ctx, req);
  } finally {
    ctx.changes.notify();
  }
}

async function kill(ctx: HandlerContext, req: RequestOf<"kill">): Promise<ResponseData["kill"]> {
  let job = ctx.store.resolve(req.id);
  if (job.state === "queued") {
    try {
      return {
        job: ctx.store.apply(job.job_id, {
          type: "cancel",
          reason: "canceled by `barn kill` before it started",
        }),
      };
    } catch (e) {
      // The keeper (another process) may have recorded its start since the read: stop it as running.
      const now = ctx.store.get(job.job_id);
      if (!(e instanceof BarnError && e.code === "E_STATE") || now === null) throw e;
      job = now;
    }
  }
  if (job.state === "running") return { job: await ctx.jobs.stopRunning(job) };
  throw new BarnError(
    "E_STATE",
    `job ${job.job_id} has already finished (${job.state}), so there is nothing to kill; ` +
      "`barn clean` removes finished jobs",
  );
}
