/** Fan-outs of one session each: per host (status, service status) or per HOST:ID (describe, kill, retry), each answer on its own. */

import { BarnError } from "../errors.ts";
import type { FleetContext } from "./context.ts";
import { fanOut, type HostResult } from "./fan_out.ts";
import type { Host } from "./inventory.ts";
import { parseQualifiedId, type QualifiedId } from "./qualified_id.ts";
import { type Remote, withRemote } from "./remote.ts";

/** The HOST:ID arguments, checked before any host is contacted. */
export async function qualifiedIds(ctx: FleetContext, cmd: string): Promise<QualifiedId[]> {
  if (ctx.positionals.length === 0) {
    throw new BarnError(
      "E_USAGE",
      `missing job id: \`barn-fleet ${cmd} HOST:ID\` (ids as \`barn-fleet status\` prints them)`,
    );
  }
  const inventory = await ctx.maybeHosts();
  return ctx.positionals.map((p) => parseQualifiedId(p, inventory, ctx.barn));
}

/** `f` on a session of each target's host, all at once within the fan-out's limits. */
function overSessions<T, R extends object>(
  ctx: FleetContext,
  targets: readonly T[],
  hostOf: (t: T) => Host,
  f: (r: Remote, t: T) => Promise<R>,
): Promise<HostResult<R>[]> {
  const settings = ctx.settings;
  return fanOut(
    targets,
    (t) => hostOf(t).name,
    ctx.fanOptions(),
    (t, signal) => withRemote(hostOf(t), settings, signal, (r) => f(r, t)),
  );
}

/** `f` on each host of the inventory. */
export async function perHost<T extends object>(
  ctx: FleetContext,
  f: (r: Remote) => Promise<T>,
): Promise<HostResult<T>[]> {
  return await overSessions(ctx, await ctx.hosts(), (h) => h, (r) => f(r));
}

/** `f` on each HOST:ID argument's host, with its id. */
export async function perId<T extends object>(
  ctx: FleetContext,
  cmd: string,
  f: (r: Remote, id: string) => Promise<T>,
): Promise<HostResult<T>[]> {
  return await overSessions(ctx, await qualifiedIds(ctx, cmd), (t) => t.host, (r, t) => f(r, t.id));
}
