/** wait: block until the given jobs (or a tag's jobs) have all finished, or the timeout passes. */

import { excerpt } from "../../escape.ts";
import { BarnError } from "../../errors.ts";
import type { Job } from "../../jobs/job.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext, Send } from "../context.ts";
import { Keepalive } from "../keepalive.ts";

export async function handleWait(
  ctx: HandlerContext,
  req: RequestOf<"wait">,
  send: Send,
): Promise<ResponseData["wait"]> {
  const ids = req.ids.map((p) => ctx.store.resolve(p).job_id);
  if (req.tag !== undefined) {
    for (const j of ctx.store.list({ tag: req.tag })) {
      if (!ids.includes(j.job_id)) ids.push(j.job_id);
    }
    if (ids.length === 0) {
      throw new BarnError(
        "E_NOT_FOUND",
        `no job has tag '${excerpt(req.tag)}': list tags with \`barn status\``,
      );
    }
  }
  if (ids.length === 0) throw new BarnError("E_USAGE", "give job ids or --tag to wait for");
  const deadline = req.timeout_seconds === undefined
    ? Infinity
    : Date.now() + req.timeout_seconds * 1000;
  const keepalive = new Keepalive(send, () => ({ ok: true, stream: "keepalive" }));
  const records = () =>
    ctx.store.read(() => ids.map((id) => ctx.store.get(id)).filter((j): j is Job => j !== null));
  // Ends the service hears of are counted, so the DB is asked again only when every job left
  // may have ended, when an end of unknown jobs happened, or after a while (other writers).
  let left = new Set(ids);
  const heard = new Set<string>();
  let unknown = false;
  const off = ctx.changes.on((c) => {
    if (!c.ends) return;
    if (c.ended === undefined) unknown = true;
    else for (const id of c.ended) if (left.has(id)) heard.add(id);
  });
  const due = () => unknown || heard.size >= left.size;
  try {
    for (;;) {
      left = new Set(ctx.store.read(() => ctx.store.unfinishedOf(left)));
      heard.clear();
      unknown = false;
      if (left.size === 0) return { jobs: records(), timed_out: false };
      const now = Date.now();
      if (now >= deadline) return { jobs: records(), timed_out: true };
      await keepalive.due();
      // Ends of other writers (an --offline job, an older keeper's) are looked for every 500 ms,
      // or every 2 s while the keeper reports ends of these jobs: a look reads every job left.
      for (let waited = 0; !due() && Date.now() < deadline; waited += 500) {
        const before = heard.size;
        await ctx.changes.wait(Math.min(500, deadline - Date.now()), undefined, due);
        if (heard.size === before || waited >= 1500) break;
      }
    }
  } finally {
    off();
  }
}
