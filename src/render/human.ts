/** Human output: readable tables and key/value blocks; colour only when asked for. */

import { formatDuration } from "../config/duration.ts";
import type { Job, JobState } from "../jobs/job.ts";
import type { DescribedJob, ServiceStatus } from "../protocol/messages.ts";
import type { ListingRenderer, View } from "./view.ts";
import { escapeLines, escapeText } from "../escape.ts";
import { clip, textWidth } from "./width.ts";

/** User text (tags, commands, paths, errors) with control and bidi characters escaped. */
const e = escapeText;

export interface HumanStyle {
  color: boolean;
  /** Injected so golden tests can pin ages and durations. */
  now: Date;
  /** The terminal's columns: tables are fitted to it, never wrapped (absent: no limit). */
  width?: number | undefined;
}

const COLORS: Record<JobState, string> = {
  queued: "\x1b[36m",
  running: "\x1b[33m",
  succeeded: "\x1b[32m",
  failed: "\x1b[31m",
  canceled: "\x1b[35m",
};

function paint(style: HumanStyle, state: JobState, text: string): string {
  return style.color ? `${COLORS[state]}${text}\x1b[0m` : text;
}

/** Quotes an argv element only when a shell reader would need it. */
export function quoteArg(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`;
}

function commandLine(argv: readonly string[]): string {
  return e(argv.map(quoteArg).join(" "));
}

function exitText(job: Job): string {
  return job.exit_code === null ? "-" : String(job.exit_code);
}

function elapsed(job: Job, now: Date): string {
  if (!job.started_at) return "-";
  const end = job.finished_at ? new Date(job.finished_at) : now;
  return formatDuration((end.getTime() - new Date(job.started_at).getTime()) / 1000);
}

function bar(percent: number, width = 12): string {
  const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
}

/** A running job's one-line progress summary; for a queued one, what it waits for. */
export function progressText(job: Job): string {
  if (job.state === "queued") return waitingText(job);
  return job.state === "running" ? progressLine(job.progress) : "";
}

/** The marker of a queued job that cannot start yet: the jobs it waits for, or its latch. */
export function waitingText(job: Job): string {
  const parts: string[] = [];
  // An older host's records (barn-fleet) have no waiting_for.
  const waiting = job.waiting_for ?? [];
  if (waiting.length > 0) {
    parts.push(
      `waiting for ${waiting.slice(0, 3).map(e).join(", ")}${
        waiting.length > 3 ? ` and ${waiting.length - 3} more` : ""
      }`,
    );
  }
  if (job.latch !== null) parts.push(`held on '${e(job.latch)}'`);
  return parts.length ? `(${parts.join("; ")})` : "";
}

/** Progress as one line: bar, %, speed or rate, ETA. */
export function progressLine(p: Job["progress"]): string {
  if (!p) return "";

  const parts: string[] = [];
  if (p.percent !== undefined) parts.push(`${bar(p.percent)} ${p.percent.toFixed(1)}%`);
  if (p.speed !== undefined) parts.push(`${p.speed.toFixed(2)}x`);
  if (p.rate_bps !== undefined) parts.push(`${(p.rate_bps / 1e6).toFixed(1)} MB/s`);
  if (p.eta_seconds !== undefined) parts.push(`ETA ${formatDuration(p.eta_seconds)}`);
  return parts.join(" ");
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + "…";
}

const NO_JOBS = "no jobs (submit one with `barn run <cmd>`)";

/** The jobs table's cells and column widths, and a line builder; shared by whole and streamed tables. */
interface TableShape {
  widths: number[];
  room: number;
  lead: number;
}

function tableHeader(hosts: boolean): string[] {
  return [...(hosts ? ["HOST"] : []), "ID", "STATE", "EXIT", "TAG", "CREATED", "TIME", "COMMAND"];
}

function tableCells(j: Job, style: HumanStyle, host?: string): string[] {
  return [
    ...(host !== undefined ? [host] : []),
    host !== undefined ? `${host}:${j.job_id}` : j.job_id,
    j.state,
    exitText(j),
    e(j.tag ?? "-"),
    j.created_at.replace("T", " ").slice(0, 19),
    elapsed(j, style.now),
  ];
}

function tableShape(
  header: string[],
  rows: string[][],
  style: HumanStyle,
  hosts: boolean,
): TableShape {
  const widths = header.slice(0, -1).map((h, i) =>
    Math.max(h.length, ...rows.map((r) => textWidth(r[i]!)))
  );
  const room = (style.width ?? Infinity) - widths.reduce((n, w) => n + w + 2, 0);
  return { widths, room, lead: hosts ? 1 : 0 };
}

function tableLine(
  shape: TableShape,
  style: HumanStyle,
  cells: string[],
  last: string,
  state?: JobState,
): string {
  const padded = cells.map((c, i) => padCols(c, shape.widths[i]!));
  // Too narrow for the fixed columns: one plain line, cut; colour codes must not be cut.
  if (shape.room < 1) return clip([...padded, last].join("  ").trimEnd(), style.width!);
  if (state) padded[1 + shape.lead] = paint(style, state, padded[1 + shape.lead]!);
  return [...padded, last].join("  ").trimEnd();
}

function jobLine(shape: TableShape, style: HumanStyle, cells: string[], j: Job): string {
  return tableLine(
    shape,
    style,
    cells,
    fitCommand(commandLine(j.command), progressText(j), shape.room),
    j.state,
  );
}

/** The jobs table; with `hosts` (one per job, barn-fleet), a HOST column and ids as HOST:ID. */
export function jobsTable(
  jobs: readonly Job[],
  style: HumanStyle,
  hosts?: readonly string[],
): string {
  if (jobs.length === 0) return NO_JOBS;
  const header = tableHeader(hosts !== undefined);
  const rows = jobs.map((j, i) => tableCells(j, style, hosts?.[i]));
  const shape = tableShape(header, rows, style, hosts !== undefined);
  return [
    tableLine(shape, style, header.slice(0, -1), "COMMAND"),
    ...rows.map((r, i) => jobLine(shape, style, r, jobs[i]!)),
  ].join("\n");
}

/**
 * The jobs table as its rows arrive in frames (`status` streams): the first frame sets the
 * column widths, so a wider cell later on overflows its column rather than hold the listing back.
 */
export function humanListing(style: HumanStyle): ListingRenderer {
  let shape: TableShape | null = null;
  const header = tableHeader(false);
  return {
    rows(jobs) {
      if (jobs.length === 0) return "";
      const rows = jobs.map((j) => tableCells(j, style));
      let out = "";
      if (!shape) {
        shape = tableShape(header, rows, style, false);
        out = tableLine(shape, style, header.slice(0, -1), "COMMAND") + "\n";
      }
      for (let i = 0; i < rows.length; i++) out += jobLine(shape, style, rows[i]!, jobs[i]!) + "\n";
      return out;
    },
    end: () => (shape ? "" : NO_JOBS + "\n"),
  };
}

/** Below this many columns the command is not cut further: the progress is cut instead. */
const MIN_COMMAND_COLUMNS = 12;

/** The COMMAND cell in `room` columns: the command is cut first, then its progress. */
export function fitCommand(command: string, progress: string, room: number): string {
  const cmd = truncate(command, 60);
  const full = progress ? `${cmd}  ${progress}` : cmd;
  if (textWidth(full) <= room) return full;
  const cmdRoom = room - (progress ? 2 + textWidth(progress) : 0);
  if (cmdRoom >= MIN_COMMAND_COLUMNS) return `${clip(cmd, cmdRoom)}  ${progress}`;
  return clip(progress ? `${clip(cmd, MIN_COMMAND_COLUMNS)}  ${progress}` : cmd, room);
}

function padCols(s: string, n: number): string {
  const w = textWidth(s);
  return w >= n ? s : s + " ".repeat(n - w);
}

export function jobBlock(job: Job | DescribedJob, style: HumanStyle): string {
  const lines: [string, string][] = [
    ["job_id", job.job_id],
    ["state", paint(style, job.state, job.state)],
    ["exit_code", exitText(job)],
  ];
  if (job.process_exit_code !== null || job.signal !== null) {
    lines.push([
      "process",
      job.signal ? `killed by ${job.signal}` : `exited ${job.process_exit_code}`,
    ]);
  }
  if (job.error) lines.push(["error", e(job.error)]);
  lines.push(
    ["tag", e(job.tag ?? "-")],
    ["command", commandLine(job.command)],
    ["cwd", e(job.cwd)],
    ["created_at", job.created_at],
    ["started_at", job.started_at ?? "-"],
    ["finished_at", job.finished_at ?? "-"],
    ["time", elapsed(job, style.now)],
    ["pid", job.pid === null ? "-" : String(job.pid)],
    ["heartbeat", job.heartbeat ?? "-"],
  );
  if (job.name) lines.push(["name", e(job.name)]);
  if (job.group) lines.push(["group", e(job.group)]);
  if (job.key) lines.push(["key", e(job.key)]);
  if (job.retry_of) lines.push(["retry_of", e(job.retry_of)]);
  if (job.latch) lines.push(["latch", e(job.latch)]);
  if (job.after?.length) lines.push(["after", job.after.map(e).join(", ")]);
  if (job.waiting_for?.length) lines.push(["waiting_for", job.waiting_for.map(e).join(", ")]);
  if (job.meta) lines.push(["meta", e(JSON.stringify(job.meta))]);
  if (job.timeout_seconds !== null) lines.push(["timeout", formatDuration(job.timeout_seconds)]);
  const notes = "notifications" in job ? job.notifications ?? [] : [];
  for (const url of job.notify_urls ?? []) {
    const n = notes.find((x) => x.url === url);
    lines.push([
      "notify",
      e(url) +
      (n === undefined ? "" : `  ${n.state}, ${n.attempts} attempt${n.attempts === 1 ? "" : "s"}` +
        (n.delivered_at ? ` (${n.delivered_at})` : "") +
        (n.state !== "delivered" && n.last_error ? `: ${e(n.last_error)}` : "")),
    ]);
  }
  const progress = job.state === "running" ? progressLine(job.progress) : "";
  if (progress) lines.push(["progress", progress]);
  lines.push(
    ["job_dir", e(job.job_dir)],
    ["stdout", e(job.stdout_path)],
    [
      "stderr",
      e(job.stderr_path) + (job.log_truncated ? "  (logs truncated to max_log_bytes)" : ""),
    ],
  );
  const w = Math.max(...lines.map(([k]) => k.length));
  let out = lines.map(([k, v]) => `${pad(k + ":", w + 1)} ${v}`).join("\n");
  if ("stdout_tail" in job) {
    for (
      const [name, tail] of [["stdout", job.stdout_tail], ["stderr", job.stderr_tail]] as const
    ) {
      out += `\n\n--- last ${tail.length} lines of ${name} ---`;
      // The job's own output, shown here as data: its escapes can't drive the terminal.
      out += tail.length ? "\n" + tail.map(e).join("\n") : "\n(empty)";
    }
  }
  return out;
}

export function serviceBlock(s: ServiceStatus, style: HumanStyle): string {
  const lines: [string, string][] = [["service", s.state]];
  if (s.state === "up") {
    lines.push(
      ["pid", String(s.pid)],
      ["uptime", s.uptime_seconds === null ? "-" : formatDuration(s.uptime_seconds)],
    );
  }
  lines.push(["version", s.version], ["home", e(s.home)], ["endpoint", e(s.endpoint)]);
  if (s.max_parallel !== null) {
    lines.push(["max_parallel", `${s.max_parallel} (a cap on all groups together)`]);
  }
  for (const g of s.groups ?? []) {
    lines.push([
      "group",
      `${e(g.name)}: ${g.running}/${g.limit} running, ${g.queued} queued`,
    ]);
  }
  if (s.jobs) {
    lines.push(["jobs", Object.entries(s.jobs).map(([k, n]) => `${k} ${n}`).join(", ")]);
  }
  if (s.store) {
    const d = s.store;
    lines.push([
      "store",
      `${d.path} (journal ${d.journal_mode}, synchronous ${d.synchronous}, new jobs ` +
      `${d.submit_synchronous}, busy_timeout ${formatDuration(d.busy_timeout_ms / 1000)}, ` +
      `schema ${d.schema_version})`,
    ]);
  }
  lines.push([
    "supervisor",
    s.keeper.state === "up"
      ? `keeper up (pid ${s.keeper.pid}, ${s.keeper.jobs} running)`
      : "keeper down (starts with the next job)",
  ]);
  for (const w of s.watchers) {
    lines.push([
      "watch",
      e(
        `${w.folder}: ${w.state}${
          w.current ? `, running ${w.current}` : ""
        }, ${w.processed} processed${w.error ? ` (${w.error})` : ""}`,
      ),
    ]);
  }
  void style;
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${pad(k + ":", w + 1)} ${v}`).join("\n");
}

export function renderHuman(v: View, style: HumanStyle): string {
  switch (v.view) {
    case "job": {
      const block = jobBlock(v.job, style);
      const note = v.duplicate
        ? `note: a job with key '${e(v.job.key ?? "")}' already exists; not submitted again\n`
        : "";
      return note + (v.note ? escapeLines(v.note) + "\n" : "") + block;
    }
    case "jobs":
      return jobsTable(v.jobs, style);
    case "submitted":
      return v.jobs.map((s) =>
        s.duplicate
          ? `${s.job.job_id} (existing job with key '${e(s.job.key ?? "")}', ${s.job.state})`
          : s.job.job_id
      ).join("\n");
    case "clean":
      return v.removed.length === 0
        ? "nothing to clean"
        : `${v.dry_run ? "would remove" : "removed"} ${v.removed.length} job${
          v.removed.length === 1 ? "" : "s"
        }:\n` +
          v.removed.map((j) =>
            `  ${j.job_id}  ${pad(j.state, 9)}  ${truncate(commandLine(j.command), 60)}`
          ).join("\n");
    case "service_status":
      return serviceBlock(v.status, style);
    case "message":
      return escapeLines(v.message);
    case "error":
      return `barn: error: ${escapeLines(v.error.message)} [${e(v.error.code)}]`;
  }
}
