/** A Backend that calls the handlers directly: --offline, and the service's own watch folders. */

import { BarnError } from "../errors.ts";
import type { Backend } from "../client/backend.ts";
import { decodeEncoded } from "../protocol/framing.ts";
import type { Request, StreamFrame } from "../protocol/messages.ts";
import type { HandlerContext, Send } from "./context.ts";
import { dispatch } from "./dispatch.ts";

export function inProcessBackend(ctx: HandlerContext, close: () => void = () => {}): Backend {
  const call = async (req: Request, send: Send) => {
    const res = await dispatch(ctx, req, send);
    if (!res.ok) throw new BarnError(res.error.code as "E_INTERNAL", res.error.message);
    const { ok: _ok, ...data } = res;
    // deno-lint-ignore no-explicit-any
    return data as any;
  };
  return {
    request: (req) => call(req, () => Promise.resolve()),
    // An encoded frame is read back as the client would read it off the wire.
    stream: (req, onFrame) =>
      call(
        req,
        async (f) => await onFrame("frame" in f ? decodeEncoded(f.frame) as StreamFrame : f),
      ),
    close,
  };
}
