/** Human output: readable tables and key/value blocks; colour only when asked for. */

import { formatDuration } from "../config/duration.ts";
import type { Job, JobState } from "../jobs/job.ts";
import type { DescribedJob, ServiceStatus } from "../protocol/messages.ts";
import type { ListingRenderer, View } from "./view.ts";

export interface HumanStyle {
  color: boolean;
  /** Injected so golden tests can pin ages and durations. */
  now: Date;
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
  return argv.map(quoteArg).join(" ");
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

/** A running job's one-line progress summary (nothing for other states). */
export function progressText(job: Job): string {
  return job.state === "running" ? progressLine(job.progress) : "";
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

const TABLE_HEADER = ["ID", "STATE", "EXIT", "TAG", "CREATED", "TIME", "COMMAND"];
const NO_JOBS = "no jobs (submit one with `barn run <cmd>`)";

function tableCells(j: Job, style: HumanStyle): string[] {
  const progress = progressText(j);
  return [
    j.job_id,
    j.state,
    exitText(j),
    j.tag ?? "-",
    j.created_at.replace("T", " ").slice(0, 19),
    elapsed(j, style.now),
    truncate(commandLine(j.command), 60) + (progress ? "  " + progress : ""),
  ];
}

function tableWidths(rows: readonly string[][]): number[] {
  return TABLE_HEADER.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), h.length));
}

function tableLine(
  cells: readonly string[],
  widths: readonly number[],
  style: HumanStyle,
  state?: JobState,
): string {
  return cells.map((c, i) => {
    const text = i === cells.length - 1 ? c : pad(c, widths[i]!);
    return i === 1 && state ? paint(style, state, text) : text;
  }).join("  ").trimEnd();
}

export function jobsTable(jobs: readonly Job[], style: HumanStyle): string {
  if (jobs.length === 0) return NO_JOBS;
  const rows = jobs.map((j) => tableCells(j, style));
  const widths = tableWidths(rows);
  return [
    tableLine(TABLE_HEADER, widths, style),
    ...rows.map((r, i) => tableLine(r, widths, style, jobs[i]!.state)),
  ].join("\n");
}

/**
 * `status` as it streams: the `jobs` view's table, its column widths set by the first chunk
 * (a whole listing of up to a few hundred jobs); a wider cell after that overflows its column.
 */
export function humanListing(style: HumanStyle): ListingRenderer {
  let widths: number[] | null = null;
  return {
    rows(jobs) {
      if (jobs.length === 0) return "";
      const rows = jobs.map((j) => tableCells(j, style));
      let out = "";
      if (!widths) {
        widths = tableWidths(rows);
        out = tableLine(TABLE_HEADER, widths, style) + "\n";
      }
      for (let i = 0; i < rows.length; i++) {
        out += tableLine(rows[i]!, widths, style, jobs[i]!.state) + "\n";
      }
      return out;
    },
    end: () => (widths ? "" : NO_JOBS + "\n"),
  };
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
  if (job.error) lines.push(["error", job.error]);
  lines.push(
    ["tag", job.tag ?? "-"],
    ["command", commandLine(job.command)],
    ["cwd", job.cwd],
    ["created_at", job.created_at],
    ["started_at", job.started_at ?? "-"],
    ["finished_at", job.finished_at ?? "-"],
    ["time", elapsed(job, style.now)],
    ["pid", job.pid === null ? "-" : String(job.pid)],
    ["heartbeat", job.heartbeat ?? "-"],
  );
  if (job.key) lines.push(["key", job.key]);
  if (job.retry_of) lines.push(["retry_of", job.retry_of]);
  if (job.latch) lines.push(["latch", job.latch]);
  if (job.timeout_seconds !== null) lines.push(["timeout", formatDuration(job.timeout_seconds)]);
  const progress = progressText(job);
  if (progress) lines.push(["progress", progress]);
  lines.push(
    ["job_dir", job.job_dir],
    ["stdout", job.stdout_path],
    ["stderr", job.stderr_path + (job.log_truncated ? "  (logs truncated to max_log_bytes)" : "")],
  );
  const w = Math.max(...lines.map(([k]) => k.length));
  let out = lines.map(([k, v]) => `${pad(k + ":", w + 1)} ${v}`).join("\n");
  if ("stdout_tail" in job) {
    for (
      const [name, tail] of [["stdout", job.stdout_tail], ["stderr", job.stderr_tail]] as const
    ) {
      out += `\n\n--- last ${tail.length} lines of ${name} ---`;
      out += tail.length ? "\n" + tail.join("\n") : "\n(empty)";
    }
  }
  return out;
}

function serviceBlock(s: ServiceStatus, style: HumanStyle): string {
  const lines: [string, string][] = [["service", s.state]];
  if (s.state === "up") {
    lines.push(
      ["pid", String(s.pid)],
      ["uptime", s.uptime_seconds === null ? "-" : formatDuration(s.uptime_seconds)],
    );
  }
  lines.push(["version", s.version], ["home", s.home], ["endpoint", s.endpoint]);
  if (s.max_parallel !== null) lines.push(["max_parallel", String(s.max_parallel)]);
  if (s.jobs) {
    lines.push(["jobs", Object.entries(s.jobs).map(([k, n]) => `${k} ${n}`).join(", ")]);
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
      `${w.folder}: ${w.state}${
        w.current ? `, running ${w.current}` : ""
      }, ${w.processed} processed${w.error ? ` (${w.error})` : ""}`,
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
        ? `note: a job with key '${v.job.key}' already exists; not submitted again\n`
        : "";
      return note + (v.note ? v.note + "\n" : "") + block;
    }
    case "jobs":
      return jobsTable(v.jobs, style);
    case "submitted":
      return v.jobs.map((s) =>
        s.duplicate
          ? `${s.job.job_id} (existing job with key '${s.job.key}', ${s.job.state})`
          : s.job.job_id
      ).join("\n");
    case "clean":
      return v.removed.length === 0
        ? "nothing to clean"
        : `removed ${v.removed.length} job${v.removed.length === 1 ? "" : "s"}:\n` +
          v.removed.map((j) =>
            `  ${j.job_id}  ${pad(j.state, 9)}  ${truncate(commandLine(j.command), 60)}`
          ).join("\n");
    case "service_status":
      return serviceBlock(v.status, style);
    case "message":
      return v.message;
    case "error":
      return `barn: error: ${v.error.message} [${v.error.code}]`;
  }
}
