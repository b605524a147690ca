/** Streaming commands (wait, listen, logs -f) ride out a service restart: reconnect and go on. */

import { BarnError } from "../errors.ts";
import type { CliContext } from "./context.ts";

const GIVE_UP_MS = 120_000;

/** Whether `e` says the service went away (a stop, a restart, a crash) rather than refused. */
export function lostService(e: unknown): boolean {
  return (e instanceof BarnError && e.code === "E_NO_SERVICE") ||
    e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset ||
    (e instanceof BarnError && e.code === "E_PROTOCOL" && /closed/.test(e.message));
}

/**
 * Runs `attempt` until it returns. The first connection must work (a service that is
 * not running is an error at once); after that, a lost service is waited for. `attempt`
 * carries its own resume point (listen: the last seq and the store epoch it belongs to).
 */
export async function withReconnect<T>(ctx: CliContext, attempt: () => Promise<T>): Promise<T> {
  let connectedOnce = false;
  let lostAt = 0;
  for (;;) {
    try {
      await ctx.backend();
      connectedOnce = true;
      lostAt = 0;
      return await attempt();
    } catch (e) {
      if (ctx.offline || !lostService(e) || !connectedOnce) throw e;
      ctx.reconnect();
      lostAt ||= Date.now();
      if (Date.now() - lostAt > GIVE_UP_MS) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
