/** barn listen: stream state changes (and progress) as they happen; resumes after a service restart. */

import { escapeText, excerpt } from "../../escape.ts";
import { BarnError } from "../../errors.ts";
import type { JobEventRecord } from "../../jobs/job.ts";
import type { ProgressEventRecord } from "../../protocol/messages.ts";
import { progressLine } from "../../render/human.ts";
import type { Command } from "../command.ts";
import { writeOut } from "../context.ts";
import { withReconnect } from "../reconnect.ts";

function line(ev: JobEventRecord | ProgressEventRecord): string {
  const tag = ev.tag ? ` [${escapeText(ev.tag)}]` : "";
  if (ev.seq === null) {
    return `${ev.at}  -     ${ev.job_id}  progress${tag}  ${progressLine(ev.progress)}`;
  }
  return `${ev.at}  ${String(ev.seq).padEnd(5)} ${ev.job_id}  ${ev.state}${tag}`;
}

export const listen: Command = {
  name: "listen",
  summary: "stream job state changes as they happen (JSON Lines with --output=json)",
  usage: "barn listen [--tag=T] [--progress] [--since=SEQ [--epoch=E]] [--output=human|json]",
  example: "barn listen --output=json --since=0 | jq -c .",
  options: {
    tag: { type: "string" },
    progress: { type: "boolean" },
    since: { type: "string" },
    epoch: { type: "string" },
  },
  async run(ctx) {
    if (ctx.format === "xml") {
      throw new BarnError(
        "E_USAGE",
        "listen streams human lines or JSON Lines; --output=xml does not apply",
      );
    }
    const sinceText = ctx.str("since");
    let since = sinceText === undefined ? undefined : Number(sinceText);
    if (since !== undefined && (!Number.isInteger(since) || since < 0)) {
      throw new BarnError(
        "E_USAGE",
        `--since must be an event sequence number (got '${excerpt(sinceText)}')`,
      );
    }
    // The epoch `since` belongs to: a reconnect after a DB rebuild must not resume by number.
    let epoch = ctx.str("epoch");
    if (epoch !== undefined && since === undefined) {
      throw new BarnError("E_USAGE", "--epoch names the epoch of --since; give both");
    }
    await withReconnect(ctx, async () => {
      const backend = await ctx.backend();
      return await backend.stream({
        kind: "listen",
        tag: ctx.str("tag"),
        since,
        progress: ctx.flag("progress"),
        epoch: since === undefined ? undefined : epoch,
      }, async (f) => {
        if (f.stream === "log") return;
        if (f.stream === "keepalive") {
          if (f.epoch_changed) {
            console.error(
              `barn: the store's epoch is ${
                escapeText(f.epoch ?? "?")
              }, not ${epoch}: its database was rebuilt, so --since ${since} no longer applies; ` +
                "replaying its events from the start",
            );
            since = undefined;
          }
          if (f.epoch !== undefined) epoch = f.epoch;
          if (f.seq !== undefined && (since === undefined || f.seq > since)) since = f.seq;
          return;
        }
        if (f.stream !== "event") return;
        if (f.event.seq !== null) since = f.event.seq;
        await writeOut(
          Deno.stdout,
          (ctx.format === "json" ? JSON.stringify(f.event) : line(f.event)) + "\n",
        );
      });
    });
    return 0;
  },
};
