/** Parsing progress (pure): ffmpeg's -progress key=value blocks and curl's progress meter. */

import type { Progress } from "../jobs/job.ts";

/**
 * Accumulates ffmpeg -progress output. Each block ends with `progress=continue|end`;
 * `N/A` values (while ffmpeg warms up) are skipped, never stored as strings.
 */
export class FfmpegProgressParser {
  #buf = "";
  #block: Record<string, string> = {};

  constructor(private durationSeconds: number | null) {}

  setDuration(d: number | null): void {
    this.durationSeconds = d;
  }

  /** Feeds text; returns the progress of every block completed by it. */
  push(text: string): Progress[] {
    this.#buf += text;
    const out: Progress[] = [];
    let nl: number;
    while ((nl = this.#buf.indexOf("\n")) >= 0) {
      const line = this.#buf.slice(0, nl).trim();
      this.#buf = this.#buf.slice(nl + 1);
      const eq = line.indexOf("=");
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === "progress") {
        out.push(this.#finish(this.#block));
        this.#block = {};
      } else this.#block[key] = value;
    }
    return out;
  }

  #finish(b: Record<string, string>): Progress {
    const p: Progress = {};
    const num = (v: string | undefined): number | undefined => {
      if (v === undefined || v === "N/A" || v.trim() === "") return undefined;
      const n = Number(v.replace(/x$/, "").trim());
      return Number.isFinite(n) ? n : undefined;
    };
    const us = num(b.out_time_us) ?? num(b.out_time_ms); // out_time_ms is in microseconds too
    if (us !== undefined && us >= 0) p.out_time_seconds = us / 1e6;
    const speed = num(b.speed);
    if (speed !== undefined) p.speed = speed;
    const fps = num(b.fps);
    if (fps !== undefined) p.fps = fps;
    const frame = num(b.frame);
    if (frame !== undefined) p.frame = frame;
    const size = num(b.total_size);
    if (size !== undefined) p.total_size = size;
    return withEstimates(p, this.durationSeconds);
  }
}

/** percent and ETA from out_time, duration and speed: eta = (duration − out_time) / speed. */
export function withEstimates(p: Progress, duration: number | null): Progress {
  if (duration !== null && duration > 0) {
    p.duration_seconds = duration;
    if (p.out_time_seconds !== undefined) {
      p.percent = round(Math.min(100, Math.max(0, (p.out_time_seconds / duration) * 100)), 2);
      if (p.speed !== undefined && p.speed > 0) {
        p.eta_seconds = round(Math.max(0, (duration - p.out_time_seconds) / p.speed), 1);
      }
    }
  }
  return p;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
  P: 1024 ** 5,
};

/** curl's sizes: `512`, `45.2M`, `1024k`. */
export function parseCurlSize(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKMGTP]?)$/.exec(s.trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : null;
}

/** curl's times: `0:00:07`, `--:--:--` (unknown), or with days (`2d 03h`). */
export function parseCurlTime(s: string): number | null {
  const m = /^(\d+):(\d\d):(\d\d)$/.exec(s.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/**
 * Parses curl's progress meter, whose updates are separated by carriage returns:
 * `% Total % Received % Xferd AvgDload AvgUpload TimeTotal TimeSpent TimeLeft Speed`.
 * curl starts each update with `\r`, so the newest line is ended only by the next update, a
 * second later: it counts as soon as it is as wide as the last whole line (its fields are
 * padded to a fixed width, and a pipe may deliver it in pieces), and not again when ended.
 */
export class CurlMeterParser {
  #buf = "";
  /** The unended newest line, already counted. */
  #counted = "";
  /** Width of the last whole meter line. */
  #width = 0;

  push(text: string): Progress[] {
    this.#buf += text;
    const out: Progress[] = [];
    const parts = this.#buf.split(/[\r\n]/);
    this.#buf = parts.pop() ?? "";
    for (const line of parts) {
      const p = parseCurlMeterLine(line);
      if (p) this.#width = line.length;
      if (line === this.#counted) this.#counted = "";
      else if (p) out.push(p);
    }
    if (this.#buf !== this.#counted && this.#buf.length >= this.#width) {
      const p = parseCurlMeterLine(this.#buf);
      if (p) {
        out.push(p);
        this.#counted = this.#buf;
      }
    }
    return out;
  }
}

export function parseCurlMeterLine(line: string): Progress | null {
  const f = line.trim().split(/\s+/);
  if (f.length !== 12 || !/^\d+$/.test(f[0]!)) return null;
  const total = parseCurlSize(f[1]!);
  const recv = parseCurlSize(f[3]!);
  const xferd = parseCurlSize(f[5]!);
  const speed = parseCurlSize(f[11]!);
  if (total === null || recv === null || xferd === null) return null;
  const uploading = xferd > recv;
  const done = uploading ? xferd : recv;
  const pct = Number(uploading ? f[4] : f[2]);
  const p: Progress = { bytes_done: done };
  // With no Content-Length, curl shows Total = bytes so far and 0 % received.
  const unknownTotal = total === done && pct === 0 && done > 0;
  if (total > 0 && !unknownTotal) {
    p.bytes_total = total;
    p.percent = pct;
  }
  if (speed !== null) p.rate_bps = speed;
  const left = parseCurlTime(f[10]!);
  if (left !== null) p.eta_seconds = left;
  return p;
}
