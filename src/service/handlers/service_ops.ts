/** service_status, reload and shutdown: they need a running service. */

import { BarnError } from "../../errors.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext, ServiceOps } from "../context.ts";

function ops(ctx: HandlerContext): ServiceOps {
  if (!ctx.service) {
    throw new BarnError(
      "E_USAGE",
      "this needs the barn service, not --offline: start it with `barn service start`",
    );
  }
  return ctx.service;
}

export function handleServiceStatus(ctx: HandlerContext): ResponseData["service_status"] {
  return { status: ops(ctx).status() };
}

export function handleReload(ctx: HandlerContext): Promise<ResponseData["reload"]> {
  return ops(ctx).reload();
}

export function handleShutdown(
  ctx: HandlerContext,
  req: RequestOf<"shutdown">,
): ResponseData["shutdown"] {
  ops(ctx).shutdown(req.kill_jobs);
  return { stopping: true };
}
