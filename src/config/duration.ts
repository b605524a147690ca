/** Durations such as `90s`, `5m`, `7d` or `1h30m`, as in config.json and --timeout. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** Parses a duration into seconds; a bare number means seconds. */
export function parseDuration(text: string, what = "duration"): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    part.lastIndex = pos;
    const m = part.exec(t);
    if (!m) {
      throw new BarnError(
        "E_USAGE",
        `${what} '${excerpt(text)}' is not a duration: write e.g. 30s, 5m, 2h, 7d or 1h30m`,
      );
    }
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    pos = part.lastIndex;
  }
  if (t.length === 0) {
    throw new BarnError("E_USAGE", `${what} is empty: write e.g. 30s, 5m, 2h or 7d`);
  }
  return total;
}

/** Seconds back to the shortest readable form, for human output. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d${h > 0 ? `${h}h` : ""}`;
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ""}`;
  return `${m}m${sec > 0 ? `${sec}s` : ""}`;
}
