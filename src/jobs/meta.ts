/** A job's `--meta` (pure): a JSON object the caller keeps with the job, capped in size. */

import { excerpt, parseJsonOr } from "../escape.ts";
import { BarnError } from "../errors.ts";

/** The largest `meta` barn stores, as UTF-8 JSON. */
export const META_MAX_BYTES = 16 * 1024;

/** Checks a meta value: a JSON object of at most META_MAX_BYTES; returns it unchanged. */
export function checkMeta(value: unknown, what = "--meta"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BarnError("E_USAGE", `${what} must be a JSON object, e.g. {"asset": "A-1234"}`);
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > META_MAX_BYTES) {
    throw new BarnError(
      "E_USAGE",
      `${what} is ${bytes} bytes of JSON; at most ${META_MAX_BYTES} are kept with a job ` +
        "(store a reference to the rest)",
    );
  }
  return value as Record<string, unknown>;
}

/** `--meta=JSON` as typed: parsed and checked. */
export function parseMeta(text: string, what = "--meta"): Record<string, unknown> {
  const value = parseJsonOr(text, (place) =>
    new BarnError(
      "E_USAGE",
      `${what} is not JSON${place ? ` (${place})` : ""}: give an ` +
        `object, e.g. --meta='{"asset": "A-1234"}'`,
    ));
  return checkMeta(value, what);
}

/** One `status --meta key=value` filter: a top-level key of the job's meta and the value it must have. */
export interface MetaFilter {
  key: string;
  value: string;
}

export function parseMetaFilter(text: string): MetaFilter {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new BarnError(
      "E_USAGE",
      `--meta '${excerpt(text)}' is not a filter: write KEY=VALUE, e.g. --meta asset=A-1234`,
    );
  }
  return { key: checkMetaKey(text.slice(0, eq)), value: text.slice(eq + 1) };
}

/** A filter key: a top-level key of the meta object, without '"' (SQLite's JSON paths can't quote it). */
export function checkMetaKey(key: string): string {
  if (key === "" || key.includes('"')) {
    throw new BarnError(
      "E_USAGE",
      `--meta key '${excerpt(key)}' can't be filtered on: use a top-level key without '"'`,
    );
  }
  return key;
}
