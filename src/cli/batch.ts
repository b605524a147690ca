/** `barn run --batch`: JSON Lines, one job per line, checked line by line before anything is sent (pure). */

import { excerpt, parseJsonOr } from "../escape.ts";
import { BarnError } from "../errors.ts";
import { parseDuration } from "../config/duration.ts";
import type { JobSpec } from "../jobs/job.ts";
import { isTransfer } from "../jobs/policy.ts";
import { checkMeta, roundedInteger } from "../jobs/meta.ts";
import { checkNotifyUrls } from "../notify/notify_url.ts";

/** At most this many jobs per batch (the service accepts up to 10 000 per submission). */
export const MAX_BATCH = 10_000;

const FIELDS = [
  "command",
  "tag",
  "key",
  "timeout",
  "stall_timeout",
  "pending",
  "label",
  "after",
  "group",
  "name",
  "meta",
  "notify",
];

function seconds(v: unknown, what: string): number {
  if (typeof v === "number" && v > 0) return v;
  if (typeof v === "string") return parseDuration(v, what);
  throw new Error(`${what} must be a duration such as "30m" or a number of seconds`);
}

/** Parses a batch; any bad line rejects the whole batch, naming the line and the reason. */
export function parseBatch(text: string, cwd: string, allowed: readonly string[]): JobSpec[] {
  const specs: JobSpec[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const where = `batch line ${i + 1}`;
    const raw = parseJsonOr(
      line,
      (place) =>
        new BarnError(
          "E_USAGE",
          `${where}: not JSON${place ? ` (${place})` : ""}: give one JSON object per line, ` +
            'e.g. {"command": ["ffprobe", "clip.mp4"]}; nothing was submitted',
        ),
      (literal) =>
        new BarnError(
          "E_USAGE",
          `${roundedInteger(where, literal).message}; nothing was submitted`,
        ),
    );
    try {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new Error("must be a JSON object");
      }
      const o = raw as Record<string, unknown>;
      const unknown = Object.keys(o).filter((k) => !FIELDS.includes(k));
      if (unknown.length) {
        throw new Error(
          `unknown field ${unknown.map((k) => excerpt(k)).join(", ")} (known: ${
            FIELDS.join(", ")
          })`,
        );
      }
      const cmd = o.command;
      if (
        !Array.isArray(cmd) || cmd.length === 0 || !cmd.every((a) => typeof a === "string") ||
        cmd[0] === ""
      ) {
        throw new Error(
          '"command" must be a non-empty array of strings, e.g. ["curl", "--version"]',
        );
      }
      if (!allowed.includes(cmd[0] as string) && !isTransfer(cmd as string[])) {
        throw new Error(
          `'${excerpt(cmd[0] as string)}' is not an allowed command (${allowed.join(", ")})`,
        );
      }
      const spec: JobSpec = { command: cmd as string[], cwd };
      for (const k of ["tag", "key", "pending", "label", "group", "name"] as const) {
        if (o[k] === undefined) continue;
        if (typeof o[k] !== "string" || o[k] === "") {
          throw new Error(`"${k}" must be a non-empty string`);
        }
      }
      if (o.tag !== undefined) spec.tag = o.tag as string;
      if (o.key !== undefined) spec.key = o.key as string;
      if (o.pending !== undefined) spec.latch = o.pending as string;
      if (o.label !== undefined) spec.label = o.label as string;
      if (o.group !== undefined) spec.group = o.group as string;
      if (o.name !== undefined) spec.name = o.name as string;
      if (o.after !== undefined) {
        if (!Array.isArray(o.after) || !o.after.every((a) => typeof a === "string" && a !== "")) {
          throw new Error('"after" must be an array of labels, job ids or @names, e.g. ["dl"]');
        }
        spec.after = o.after as string[];
      }
      if (o.meta !== undefined) spec.meta = checkMeta(o.meta, '"meta"');
      if (o.timeout !== undefined) spec.timeout_seconds = seconds(o.timeout, '"timeout"');
      if (o.notify !== undefined) {
        const urls = typeof o.notify === "string" ? [o.notify] : o.notify;
        if (!Array.isArray(urls) || !urls.every((u) => typeof u === "string")) {
          throw new Error('"notify" must be a URL or an array of URLs');
        }
        spec.notify_urls = checkNotifyUrls(urls, '"notify"');
      }
      if (o.stall_timeout !== undefined) {
        spec.stall_timeout_seconds = seconds(o.stall_timeout, '"stall_timeout"');
      }
      specs.push(spec);
    } catch (e) {
      throw new BarnError("E_USAGE", `${where}: ${(e as Error).message}; nothing was submitted`);
    }
    if (specs.length > MAX_BATCH) {
      throw new BarnError(
        "E_USAGE",
        `a batch holds at most ${MAX_BATCH} jobs; split it (nothing was submitted)`,
      );
    }
  }
  if (specs.length === 0) {
    throw new BarnError("E_USAGE", "the batch is empty: give one JSON object per line");
  }
  return specs;
}
