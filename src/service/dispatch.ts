/** One exhaustive dispatch from request kind to handler. */

import { toErrorBody } from "../errors.ts";
import { PROTOCOL_VERSION, type Request, type Response } from "../protocol/messages.ts";
import { VERSION } from "../version.ts";
import type { HandlerContext, Send } from "./context.ts";
import { handleWait } from "./handlers/wait.ts";
import { handleListen } from "./handlers/listen.ts";
import { handleLogs } from "./handlers/logs.ts";
import { handleRetry } from "./handlers/retry.ts";
import { handleRelease } from "./handlers/release.ts";
import { handleSubmit } from "./handlers/submit.ts";
import { handleStatus } from "./handlers/status.ts";
import { handleDescribe } from "./handlers/describe.ts";
import { handleKill } from "./handlers/kill.ts";
import { handleClean } from "./handlers/clean.ts";
import { handleReload, handleServiceStatus, handleShutdown } from "./handlers/service_ops.ts";

async function route(ctx: HandlerContext, req: Request, send: Send): Promise<object> {
  switch (req.kind) {
    case "hello":
      return { protocol: PROTOCOL_VERSION, server_version: VERSION };
    case "submit":
      return handleSubmit(ctx, req);
    case "status":
      return await handleStatus(ctx, req, send);
    case "describe":
      return handleDescribe(ctx, req);
    case "kill":
      return await handleKill(ctx, req);
    case "clean":
      return handleClean(ctx, req);
    case "service_status":
      return handleServiceStatus(ctx);
    case "reload":
      return await handleReload(ctx);
    case "shutdown":
      return handleShutdown(ctx, req);
    case "wait":
      return await handleWait(ctx, req, send);
    case "listen":
      return await handleListen(ctx, req, send);
    case "retry":
      return handleRetry(ctx, req);
    case "release":
      return handleRelease(ctx, req);
    case "logs":
      return await handleLogs(ctx, req, send);
    default: {
      const never: never = req;
      throw new Error(`unhandled request ${JSON.stringify(never)}`);
    }
  }
}

const noStream: Send = () => Promise.resolve();

/** Runs one request; every failure becomes `{ok: false, error: {code, message}}`. */
export async function dispatch(
  ctx: HandlerContext,
  req: Request,
  send: Send = noStream,
): Promise<Response> {
  try {
    return { ok: true, ...(await route(ctx, req, send)) } as Response;
  } catch (e) {
    return { ok: false, error: toErrorBody(e) };
  }
}
