/** `barn top`'s screen as lines (pure): exactly `height` lines, none wider than `width`, user text escaped. */

import { formatDuration } from "../config/duration.ts";
import { escapeText } from "../escape.ts";
import type { Job, JobState } from "../jobs/job.ts";
import { byteSize } from "../render/byte_size.ts";
import { jobBlock, quoteArg } from "../render/human.ts";
import { clip, padTo, textWidth } from "../render/width.ts";
import { counts, sections, type TopState } from "./state.ts";

export interface ScreenSize {
  width: number;
  height: number;
}

export interface ScreenStyle {
  color: boolean;
  now: Date;
}

/** A piece of a line and its SGR colour (applied after the line is cut to the width). */
type Seg = [text: string, sgr?: string];

const STATE_SGR: Record<JobState, string> = {
  queued: "36",
  running: "33",
  succeeded: "32",
  failed: "31",
  canceled: "35",
};

/** Joins segments, cuts them to `width` columns, and colours them only when asked. */
function line(segs: Seg[], width: number, style: ScreenStyle, reverse = false): string {
  let out = "";
  let used = 0;
  for (const [text, sgr] of segs) {
    if (used >= width) break;
    const room = width - used;
    const w = textWidth(text);
    const t = w <= room ? text : clip(text, room);
    used += textWidth(t);
    out += style.color && sgr ? `\x1b[${sgr}m${t}\x1b[22;39m` : t;
  }
  if (reverse && style.color) {
    return `\x1b[7m${out}${" ".repeat(Math.max(0, width - used))}\x1b[27m`;
  }
  return out;
}

function command(job: Job): string {
  return escapeText(job.command.map(quoteArg).join(" "));
}

function tag(job: Job): string {
  return padTo(clip(escapeText(job.tag ?? "-"), 10), 10);
}

function ago(iso: string | null, now: Date): string {
  if (!iso) return "-";
  return formatDuration(Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000));
}

function progressBar(percent: number | undefined, cells: number): string {
  if (percent === undefined) return "[" + "?".repeat(cells) + "]";
  const filled = Math.max(0, Math.min(cells, Math.round((percent / 100) * cells)));
  return "[" + "#".repeat(filled) + ".".repeat(cells - filled) + "]";
}

function runningRow(j: Job, now: Date, width: number): Seg[] {
  const p = j.progress ?? {};
  const pct = p.percent === undefined ? "    -" : `${p.percent.toFixed(1)}%`;
  const speed = p.speed !== undefined
    ? `${p.speed.toFixed(2)}x`
    : p.rate_bps !== undefined
    ? `${(p.rate_bps / 1e6).toFixed(1)}MB/s`
    : "-";
  const eta = p.eta_seconds === undefined ? "-" : formatDuration(p.eta_seconds);
  return [
    [`${j.job_id}  `],
    [progressBar(p.percent, width >= 100 ? 20 : 10), "33"],
    [` ${pct.padStart(6)} ${speed.padStart(8)} ETA ${eta.padEnd(5)} ${
      ago(j.started_at, now).padStart(5)
    }  `],
    [`${tag(j)}  `],
    [command(j)],
  ];
}

/** What a queued job waits for: its latch, the jobs it depends on, or a free slot in its group. */
export function waitingFor(j: Job, position: number): string {
  if (j.latch) return `latch ${escapeText(j.latch)}`;
  if (j.waiting_for.length > 0) return `after ${j.waiting_for.map((t) => escapeText(t)).join(",")}`;
  return `a slot (#${position})`;
}

function queuedRow(j: Job, position: number): Seg[] {
  return [
    [`${j.job_id}  `],
    ["queued   ", STATE_SGR.queued],
    [`group ${padTo(clip(escapeText(j.group), 8), 8)} waiting for ${
      padTo(clip(waitingFor(j, position), 16), 16)
    } `],
    [`${tag(j)}  `],
    [command(j)],
  ];
}

function finishedRow(j: Job, now: Date): Seg[] {
  const exit = j.exit_code === null ? "-" : String(j.exit_code);
  return [
    [`${j.job_id}  `],
    [j.state.padEnd(9), STATE_SGR[j.state]],
    [` exit ${clip(escapeText(exit), 12).padEnd(10)} ${ago(j.finished_at, now).padStart(5)} ago  `],
    [`${tag(j)}  `],
    [command(j)],
  ];
}

function header(s: TopState, width: number, style: ScreenStyle): string[] {
  const svc = s.service;
  const parts: string[] = ["barn top"];
  if (!s.connected) parts.push("service DOWN: reconnecting (the last state it gave)");
  else if (svc) {
    parts.push(
      `service up (pid ${svc.pid}${svc.started_at ? `, ${ago(svc.started_at, style.now)}` : ""})`,
      svc.keeper.state === "up"
        ? `keeper up (pid ${svc.keeper.pid}, ${svc.keeper.jobs} jobs)`
        : "keeper idle",
      `max_parallel ${svc.max_parallel ?? "-"}`,
    );
  }
  if (s.diskFree !== null) parts.push(`${byteSize(s.diskFree, 1000)} free`);
  const c = counts(s);
  const jobs = `jobs: ${c.running} running, ${c.queued} queued, ${c.succeeded} succeeded, ` +
    `${c.failed} failed, ${c.canceled} canceled` +
    (s.tag !== null ? `   [tag: ${escapeText(s.tag)}]` : "");
  return [
    line([[parts.join("  |  "), "1"]], width, style),
    line([[jobs]], width, style),
  ];
}

function footer(s: TopState, width: number, style: ScreenStyle): string {
  const m = s.mode;
  switch (m.kind) {
    case "confirm-kill": {
      const j = s.jobs.get(m.id);
      return line(
        [[`cancel ${m.id}${j ? ` (${command(j)})` : ""}? y/n`, "1;31"]],
        width,
        style,
      );
    }
    case "filter":
      return line(
        [[`tag filter: ${escapeText(m.text)}_   (Enter apply, empty for all; Esc back)`, "1"]],
        width,
        style,
      );
    case "log":
    case "describe":
      return line([["Esc back   j/k scroll   q quit"]], width, style);
    case "list":
      return line(
        [[
          s.message !== null
            ? escapeText(s.message)
            : "j/k select  l log  d describe  K cancel  r retry  / tag  q quit",
        ]],
        width,
        style,
      );
  }
}

/** The list: section titles and one row per job, scrolled to keep the selection in view. */
function listBody(s: TopState, size: ScreenSize, style: ScreenStyle, rows: number): string[] {
  const { running, queued, finished } = sections(s);
  const lines: { segs: Seg[]; id?: string }[] = [];
  const title = (t: string) => lines.push({ segs: [[t, "1"]] });
  if (running.length + queued.length + finished.length === 0) {
    title(
      s.tag === null ? "no jobs yet (submit one with `barn run <cmd>`)" : "no jobs with this tag",
    );
  }
  if (running.length) {
    title(`RUNNING (${running.length})`);
    for (const j of running) {
      lines.push({ segs: runningRow(j, style.now, size.width), id: j.job_id });
    }
  }
  if (queued.length) {
    const total = counts(s).queued;
    title(
      `QUEUED (${
        s.tag === null && total > queued.length
          ? `next ${queued.length} of ${total}`
          : queued.length
      })`,
    );
    queued.forEach((j, i) => lines.push({ segs: queuedRow(j, i + 1), id: j.job_id }));
  }
  if (finished.length) {
    title(`FINISHED (last ${finished.length})`);
    for (const j of finished) lines.push({ segs: finishedRow(j, style.now), id: j.job_id });
  }
  const at = Math.max(0, lines.findIndex((l) => l.id !== undefined && l.id === s.selected));
  const start = lines.length <= rows
    ? 0
    : Math.max(0, Math.min(at - Math.floor(rows / 2), lines.length - rows));
  return lines.slice(start, start + rows).map((l) => {
    if (l.id === undefined) return line(l.segs, size.width, style);
    const sel = l.id === s.selected;
    return line([[sel ? "> " : "  "], ...l.segs], size.width, style, sel);
  });
}

/** A job's log tails or its record, scrolled. */
function textBody(s: TopState, size: ScreenSize, style: ScreenStyle, rows: number): string[] {
  const m = s.mode;
  if (m.kind !== "log" && m.kind !== "describe") return [];
  const job = m.job;
  let text: string[];
  if (!job) text = ["loading…"];
  else if (m.kind === "log") {
    text = [
      `--- last ${job.stdout_tail.length} lines of stdout ---`,
      ...job.stdout_tail.map((t) => escapeText(t)),
      `--- last ${job.stderr_tail.length} lines of stderr ---`,
      ...job.stderr_tail.map((t) => escapeText(t)),
    ];
  } else {
    const { stdout_tail: _out, stderr_tail: _err, ...record } = job;
    text = jobBlock(record, { color: false, now: style.now }).split("\n");
  }
  const maxScroll = Math.max(0, text.length - rows);
  const scroll = Math.min(m.scroll, maxScroll);
  const start = m.kind === "log" ? maxScroll - scroll : scroll;
  const title = `${m.kind === "log" ? "log" : "describe"} ${m.id}${job ? ` (${job.state})` : ""}`;
  return [
    line([[title, "1"]], size.width, style),
    ...text.slice(start, start + rows - 1).map((t) => line([[t]], size.width, style)),
  ];
}

/** The whole screen: header, body, footer; padded to exactly `height` lines. */
export function renderScreen(s: TopState, size: ScreenSize, style: ScreenStyle): string[] {
  const head = [...header(s, size.width, style), ""];
  const rows = Math.max(0, size.height - head.length - 1);
  const body = s.mode.kind === "log" || s.mode.kind === "describe"
    ? textBody(s, size, style, rows)
    : listBody(s, size, style, rows);
  const out = [...head, ...body].slice(0, Math.max(0, size.height - 1));
  while (out.length < size.height - 1) out.push("");
  if (size.height > 0) out.push(footer(s, size.width, style));
  return out;
}
