/**
 * barn-fleet's human output (pure): merged tables with a HOST column and blocks per job, built
 * on barn's own renderers. Everything a host sent is escaped first: control and bidi
 * characters from a hostile host never reach the terminal.
 */

import { formatDuration } from "../config/duration.ts";
import type { Job } from "../jobs/job.ts";
import { byteSize } from "../render/byte_size.ts";
import { escapeStrings, escapeText } from "../escape.ts";
import { type HumanStyle, jobBlock, jobsTable } from "../render/human.ts";
import type { HostResult } from "./fan_out.ts";
import type { DeployReport, FleetView } from "./view.ts";

/** What goes to stdout, and the per-host errors and notes that go to stderr. */
export interface FleetText {
  out: string;
  err: string;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((cells) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")
      .trimEnd()
  ).join("\n");
}

/** The first line of a tool's version banner, shortened to its version word. */
function toolVersion(line: string | null): string {
  if (line === null) return "-";
  const m = /version\s+(\S+)/.exec(line) ?? /^\S+\s+(\S+)/.exec(line);
  return m ? m[1]! : line.slice(0, 20);
}

/** One stderr line per host that did not answer (its name once: most messages start with it). */
export function errorLines(results: readonly HostResult<object>[]): string[] {
  return results.flatMap((r) => {
    if (r.ok) return [];
    const own = `${r.host}: `;
    const message = r.error.message.startsWith(own)
      ? r.error.message.slice(own.length)
      : r.error.message;
    return [
      `barn-fleet: ${escapeText(r.host)}: error: ${escapeText(message)} [${
        escapeText(r.error.code)
      }]`,
    ];
  });
}

/** The hosts that answered. */
function answered<T extends object>(results: readonly HostResult<T>[]): ({ host: string } & T)[] {
  return results.flatMap((r) => (r.ok ? [r as { host: string } & T] : []));
}

function deployLine(host: string, d: DeployReport): string {
  let line = `${host}: deployed ${d.path} (${d.version})`;
  const plan = d.service_install as
    | { files?: { staged?: string | null }[]; commands?: string[] }
    | null;
  if (plan) {
    const staged = (plan.files ?? []).map((f) => f.staged).filter((x) => x).join(", ");
    line += `\n  service files staged: ${staged || "-"}` +
      `\n  then, as root there: ${(plan.commands ?? []).join("; ") || "-"}`;
  }
  return line;
}

export function renderFleetHuman(view: FleetView, style: HumanStyle): FleetText {
  const v = escapeStrings(view);
  const err = errorLines(v.results);
  let out: string;
  switch (v.view) {
    case "jobs": {
      const rows: { host: string; job: Job }[] = [];
      const ok = answered(v.results);
      for (const r of ok) {
        for (const job of r.jobs) rows.push({ host: r.host, job });
        if (r.total !== undefined && r.total > r.jobs.length) {
          err.push(
            `(${r.host}: showing the newest ${r.jobs.length} of ${r.total} jobs; --all shows every one)`,
          );
        }
        if (r.timed_out) err.push(`(${r.host}: the wait timed out; its jobs keep running)`);
      }
      // Newest first across hosts, as barn status orders one host.
      rows.sort((a, b) => b.job.created_at.localeCompare(a.job.created_at));
      out = ok.length === 0
        ? ""
        : jobsTable(rows.map((r) => r.job), style, rows.map((r) => r.host));
      break;
    }
    case "job":
      out = answered(v.results).map((r) =>
        `== ${r.host}:${r.job.job_id} ==\n${jobBlock(r.job, style)}`
      ).join("\n\n");
      break;
    case "submitted":
      out = answered(v.results).map((r) => {
        const id = `${r.host}:${r.job.job_id}`;
        return r.duplicate ? `${id} (existing job with key '${r.job.key}', ${r.job.state})` : id;
      }).join("\n");
      break;
    case "hostinfo":
      out = table(
        ["HOST", "BARN", "OS", "FFMPEG", "FFPROBE", "CURL", "FREE", "BARN_HOME"],
        v.results.map((r) => {
          if (!r.ok) return [r.host, "-", "-", "-", "-", "-", "-", `(${r.error.code})`];
          const h = r.hostinfo;
          return [
            r.host,
            `${h.barn_version} (${h.barn_commit})`,
            `${h.os}/${h.arch}`,
            toolVersion(h.ffmpeg),
            toolVersion(h.ffprobe),
            toolVersion(h.curl),
            byteSize(h.free_bytes, 1024),
            h.barn_home,
          ];
        }),
      );
      break;
    case "service_status":
      out = table(
        ["HOST", "SERVICE", "VERSION", "PID", "UPTIME", "QUEUED", "RUNNING", "KEEPER"],
        v.results.map((r) => {
          if (!r.ok) {
            const down = r.error.code === "E_NO_SERVICE" ? "down" : `(${r.error.code})`;
            return [r.host, down, "-", "-", "-", "-", "-", "-"];
          }
          const s = r.status;
          return [
            r.host,
            s.state,
            s.version,
            s.pid === null ? "-" : String(s.pid),
            s.uptime_seconds === null ? "-" : formatDuration(s.uptime_seconds),
            String(s.jobs?.queued ?? "-"),
            String(s.jobs?.running ?? "-"),
            s.keeper.state,
          ];
        }),
      );
      break;
    case "deploy":
      out = answered(v.results).map((r) => deployLine(r.host, r.deployed)).join("\n");
      break;
  }
  return { out, err: err.join("\n") };
}
