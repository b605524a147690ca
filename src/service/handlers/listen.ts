/** listen: stream every stored state change after `since`, then live ones, until the client goes. */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext, Send } from "../context.ts";
import { Keepalive } from "../keepalive.ts";

export async function handleListen(
  ctx: HandlerContext,
  req: RequestOf<"listen">,
  send: Send,
): Promise<ResponseData["listen"]> {
  const epoch = ctx.store.epoch();
  // A `since` from another epoch (a rebuilt DB restarted the sequence) points at nothing
  // here: replay this epoch from its start instead, and say so.
  const changed = req.epoch !== undefined && req.epoch !== epoch;
  // Without --since, start from now: only changes that happen from here on.
  let seq = req.since === undefined ? ctx.store.lastEventSeq() : changed ? 0 : req.since;
  // Tell the client where it starts, so a reconnect can resume from exactly here.
  await send({
    ok: true,
    stream: "keepalive",
    seq,
    epoch,
    ...(changed ? { epoch_changed: true } : {}),
  });
  const lastProgress = new Map<string, string>();
  const keepalive = new Keepalive(send, () => ({ ok: true, stream: "keepalive", seq, epoch }));
  for (;;) {
    for (const ev of ctx.store.eventsSince(seq, req.tag)) {
      await send({ ok: true, stream: "event", event: { ...ev, epoch } });
      seq = ev.seq;
      keepalive.sent();
    }
    if (req.progress) {
      for (const job of ctx.store.list({ state: "running", tag: req.tag })) {
        if (!job.progress?.updated_at || lastProgress.get(job.job_id) === job.progress.updated_at) {
          continue;
        }
        lastProgress.set(job.job_id, job.progress.updated_at);
        await send({
          ok: true,
          stream: "event",
          event: {
            seq: null,
            job_id: job.job_id,
            state: "progress",
            at: job.progress.updated_at,
            tag: job.tag,
            progress: job.progress,
            epoch,
          },
        });
        keepalive.sent();
      }
    }
    await keepalive.due();
    await ctx.changes.wait(req.progress ? 500 : 1000);
  }
}
