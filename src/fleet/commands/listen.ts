/**
 * barn-fleet listen: every host's state changes merged into one stream, each line with its host.
 * A host that drops is reconnected with `--since` from the last sequence seen, under the same
 * store epoch, so no event is lost or repeated; a rebuilt store (a new epoch) is replayed.
 */

import { BarnError, toErrorBody } from "../../errors.ts";
import type { ListenEvent } from "../../protocol/messages.ts";
import { escapeText } from "../../escape.ts";
import { progressLine } from "../../render/human.ts";
import type { FleetCommand } from "../command.ts";
import { writeOut } from "../context.ts";
import type { Host } from "../inventory.ts";
import { Remote } from "../remote.ts";
import type { SshSettings } from "../ssh_args.ts";

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

/** A connection note: `{host, note, …}` lines in JSON, `barn-fleet: HOST: …` on stderr in human output. */
type Note =
  | { note: "connected"; since: number | null; epoch: string | null }
  | { note: "reconnected"; since: number | null; epoch: string | null }
  | { note: "epoch_changed"; epoch: string | null }
  | { note: "disconnected"; error: { code: string; message: string } };

function humanEvent(host: string, ev: ListenEvent): string {
  const tag = ev.tag ? ` [${ev.tag}]` : "";
  if (ev.seq === null) {
    return `${host}  ${ev.at}  -     ${ev.job_id}  progress${tag}  ${progressLine(ev.progress)}`;
  }
  return `${host}  ${ev.at}  ${String(ev.seq).padEnd(5)} ${ev.job_id}  ${ev.state}${tag}`;
}

function humanNote(host: string, n: Note): string {
  switch (n.note) {
    case "connected":
      return `barn-fleet: ${host}: listening from seq ${n.since}`;
    case "reconnected":
      return `barn-fleet: ${host}: reconnected; resuming after seq ${n.since}`;
    case "epoch_changed":
      return `barn-fleet: ${host}: its store was rebuilt (epoch ${n.epoch}); replaying it from the start`;
    case "disconnected":
      return `barn-fleet: ${host}: disconnected: ${n.error.message} [${n.error.code}]; reconnecting`;
  }
}

/** One host's stream, forever: reconnects with backoff, resuming after the last seq under its epoch. */
async function follow(
  host: Host,
  settings: SshSettings,
  req: { tag: string | undefined; progress: boolean },
  emit: (line: string) => Promise<void>,
  json: boolean,
  stop: AbortSignal,
  sessions: Set<Remote>,
): Promise<void> {
  let since: number | undefined;
  let epoch: string | undefined;
  let attempts = 0;
  let backoff = FIRST_BACKOFF_MS;
  const note = (n: Note) =>
    emit(
      json ? JSON.stringify({ host: host.name, ...n }) : escapeText(humanNote(host.name, n)),
    );
  while (!stop.aborted) {
    let remote: Remote | null = null;
    let error: unknown;
    try {
      remote = await Remote.open(host, settings);
      sessions.add(remote);
      let started = false;
      await remote.stream({
        kind: "listen",
        tag: req.tag,
        progress: req.progress,
        since,
        epoch: since === undefined ? undefined : epoch,
      }, async (f) => {
        if (f.stream === "keepalive") {
          if (!started) {
            started = true;
            backoff = FIRST_BACKOFF_MS;
            if (f.epoch_changed) await note({ note: "epoch_changed", epoch: f.epoch ?? null });
            // A void since (another epoch) restarts the count at this epoch's start.
            if (f.epoch_changed) since = undefined;
            if (f.seq !== undefined && (since === undefined || f.seq > since)) since = f.seq;
            await note({
              note: attempts === 0 ? "connected" : "reconnected",
              since: since ?? null,
              epoch: f.epoch ?? null,
            });
          } else if (f.seq !== undefined && (since === undefined || f.seq > since)) since = f.seq;
          if (f.epoch !== undefined) epoch = f.epoch;
          return;
        }
        if (f.stream !== "event") return;
        if (f.event.seq !== null) {
          // A repeat after a reconnect would be a bug on the host's side: never print it twice.
          if (since !== undefined && f.event.seq <= since) return;
          since = f.event.seq;
        }
        await emit(
          json
            ? JSON.stringify({ host: host.name, ...f.event })
            : escapeText(humanEvent(host.name, f.event)),
        );
      });
      error = new BarnError("E_NO_SERVICE", `${host.name}: the listen stream ended`);
    } catch (e) {
      error = e;
    } finally {
      if (remote) {
        sessions.delete(remote);
        remote.kill();
        await remote.close().catch(() => {});
      }
    }
    if (stop.aborted) return;
    attempts++;
    await note({ note: "disconnected", error: toErrorBody(error) });
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

export const listen: FleetCommand = {
  name: "listen",
  summary: "every host's state changes merged into one stream (JSON Lines with host)",
  usage: "barn-fleet --hosts=… listen [--tag=T] [--progress] [--output=human|json]",
  example:
    "barn-fleet --hosts=- --output=json listen < hosts.txt | jq -c 'select(.state==\"failed\")'",
  options: { tag: { type: "string" }, progress: { type: "boolean" } },
  async run(ctx) {
    if (ctx.format === "xml") {
      throw new BarnError("E_USAGE", "listen streams human lines or JSON Lines; not XML");
    }
    const hosts = await ctx.hosts();
    const settings = ctx.settings;
    const json = ctx.format === "json";
    const stop = new AbortController();
    const sessions = new Set<Remote>();
    // Lines from many hosts interleave whole: one writer, in order.
    let queue = Promise.resolve();
    const emit = (line: string): Promise<void> => {
      const to = json || !line.startsWith("barn-fleet: ") ? Deno.stdout : Deno.stderr;
      queue = queue.then(() => writeOut(to, line + "\n")).catch((e) => {
        end(); // stdout closed (the reader went away): the stream is over
        throw e;
      });
      return queue;
    };
    const end = () => {
      stop.abort();
      for (const s of sessions) s.kill();
    };
    const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    for (const s of signals) Deno.addSignalListener(s, end);
    const req = { tag: ctx.str("tag"), progress: ctx.flag("progress") };
    try {
      await Promise.all(
        hosts.map((h) => follow(h, settings, req, emit, json, stop.signal, sessions)),
      );
    } finally {
      end();
      for (const s of signals) Deno.removeSignalListener(s, end);
    }
    return 0;
  },
};
