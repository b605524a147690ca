/** Commands on host-qualified ids (describe, kill, retry): one session per id, each answer on its own. */

import { BarnError } from "../errors.ts";
import type { FleetContext } from "./context.ts";
import { fanOut, type HostResult } from "./fan_out.ts";
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

export async function perId<T extends object>(
  ctx: FleetContext,
  cmd: string,
  f: (r: Remote, id: string) => Promise<T>,
): Promise<HostResult<T>[]> {
  const targets = await qualifiedIds(ctx, cmd);
  const settings = ctx.settings;
  return await fanOut(
    targets,
    (t) => t.host.name,
    ctx.fanOptions(),
    (t, signal) => withRemote(t.host, settings, signal, (r) => f(r, t.id)),
  );
}
