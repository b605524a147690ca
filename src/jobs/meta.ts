/** A job's `--meta` (pure): a JSON object the caller keeps with the job, capped in size. */

import { excerpt, parseJsonOr } from "../escape.ts";
import { BarnError } from "../errors.ts";

/** The largest `meta` barn stores, as UTF-8 JSON. */
export const META_MAX_BYTES = 16 * 1024;

/** The deepest meta barn stores (the object itself is level 1): well inside the frame's 32 levels. */
export const META_MAX_DEPTH = 20;

/** How deep `value` nests, and whether it holds a number JSON can't carry (parsed 1e400). */
function shape(value: unknown): { depth: number; nonFinite: boolean } {
  let depth = 0;
  let nonFinite = false;
  const todo: [unknown, number][] = [[value, 1]];
  while (todo.length > 0) {
    const [v, d] = todo.pop()!;
    if (typeof v === "number" && !Number.isFinite(v)) nonFinite = true;
    if (typeof v !== "object" || v === null) continue;
    depth = Math.max(depth, d);
    for (const c of Object.values(v)) todo.push([c, d + 1]);
  }
  return { depth, nonFinite };
}

/** An integer literal past 2^53 in typed JSON: stored as a number it would come back changed. */
export function roundedInteger(what: string, literal: string): BarnError {
  return new BarnError(
    "E_USAGE",
    `${what} holds the integer ${excerpt(literal)}, which a JSON number cannot keep exactly ` +
      `(beyond 2^53 it would come back as ${BigInt(Number(literal))}); give it as a string`,
  );
}

/** Checks a meta value: a JSON object of at most META_MAX_BYTES; returns it unchanged. */
export function checkMeta(value: unknown, what = "--meta"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BarnError("E_USAGE", `${what} must be a JSON object, e.g. {"asset": "A-1234"}`);
  }
  const { depth, nonFinite } = shape(value);
  if (depth > META_MAX_DEPTH) {
    throw new BarnError(
      "E_USAGE",
      `${what} nests ${depth} levels deep; at most ${META_MAX_DEPTH} are kept with a job ` +
        "(flatten it, or store a reference)",
    );
  }
  if (nonFinite) {
    throw new BarnError(
      "E_USAGE",
      `${what} holds a number too large for JSON (it would be stored as null); give it as a string`,
    );
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
  const value = parseJsonOr(
    text,
    (place) =>
      new BarnError(
        "E_USAGE",
        `${what} is not JSON${place ? ` (${place})` : ""}: give an ` +
          `object, e.g. --meta='{"asset": "A-1234"}'`,
      ),
    (literal) => roundedInteger(what, literal),
  );
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
