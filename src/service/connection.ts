/** The service side of a client connection: what its requests may hold in memory, and the one loop that serves it. */

import { BarnError, toErrorBody } from "../errors.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { checkToken } from "../platform/transport.ts";
import {
  FRAME_BUDGET_BYTES,
  FrameBudget,
  FrameReader,
  MAX_HELLO_BYTES,
  writeBytes,
  writeFrame,
} from "../protocol/framing.ts";
import { OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION, type Request } from "../protocol/messages.ts";
import { parseRequest } from "../protocol/validate.ts";
import { VERSION } from "../version.ts";
import type { HandlerContext } from "./context.ts";
import { dispatch } from "./dispatch.ts";
import { IdleCollector } from "./idle_gc.ts";

/** What partly received requests may hold across every connection of this service. */
const frameBudget = new FrameBudget(FRAME_BUDGET_BYTES);
/** A collection after large request buffers are dropped, so their memory goes back to the OS. */
const frameCollector = new IdleCollector();

/** One client connection: handshake, then requests until it closes or idles out. */
export async function serveConnection(
  conn: Deno.Conn,
  ctx: HandlerContext,
  paths: HomePaths,
  idleSeconds: number,
  warn: (m: string) => void,
): Promise<void> {
  const reader = new FrameReader(conn, frameBudget);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      try {
        conn.close();
      } catch { /* closed */ }
    }, idleSeconds * 1000);
  };
  const fail = async (e: unknown) => {
    try {
      await writeFrame(conn, { ok: false, error: toErrorBody(e) });
    } catch { /* peer gone */ }
  };
  try {
    arm();
    const hello = await reader.next(MAX_HELLO_BYTES);
    if (hello === null) return;
    const h = parseRequest(hello);
    if (h.kind !== "hello") {
      throw new BarnError(
        "E_PROTOCOL",
        "the first message must be a hello with the protocol version",
      );
    }
    // Each newer version only added to the one before: the service speaks what the client speaks.
    if (h.protocol < OLDEST_PROTOCOL_VERSION || h.protocol > PROTOCOL_VERSION) {
      throw new BarnError(
        "E_PROTOCOL",
        `protocol mismatch: client speaks ${h.protocol}, service speaks ` +
          `${OLDEST_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}; ` +
          "run the same barn version for both (restart the service after an upgrade)",
      );
    }
    const protocol = h.protocol;
    if (!checkToken(paths.home, h.token ?? null)) {
      throw new BarnError("E_PROTOCOL", "bad or missing service token");
    }
    await writeFrame(conn, { ok: true, protocol, server_version: VERSION });
    for (;;) {
      arm();
      const raw = await reader.next();
      if (raw === null) return;
      clearTimeout(idle);
      const req: Request = parseRequest(raw, protocol);
      await writeFrame(
        conn,
        await dispatch(
          ctx,
          req,
          (f) => "frame" in f ? writeBytes(conn, f.frame) : writeFrame(conn, f),
        ),
      );
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.BadResource) && !(e instanceof Deno.errors.ConnectionReset)) {
      if (e instanceof BarnError) warn(`closing a connection: ${e.code}: ${e.message}`);
      await fail(e);
    }
  } finally {
    clearTimeout(idle);
    reader.release();
    if (reader.peak > 0) {
      frameCollector.busy();
      frameCollector.idle();
    }
    try {
      conn.close();
    } catch { /* closed */ }
  }
}
