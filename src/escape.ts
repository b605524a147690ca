/**
 * User text made safe to show (pure): control, bidi and invisible characters become `\uXXXX`,
 * so a job id, tag or path can't move the cursor, recolour the terminal or reverse a line.
 */

import { parseJson } from "./json.ts";

/** C0/C1 controls, DEL, bidi marks and overrides, zero-width and line-separator characters, BOM. */
const UNSAFE =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function escapeExcept(text: string, keep: string): string {
  return text.replace(UNSAFE, (c) => keep.includes(c) ? c : escapeOne(c));
}

/** The text with every unsafe character escaped; nothing else changes. */
export function escapeText(text: string): string {
  return escapeExcept(text, "");
}

/**
 * A job's log text made safe for a terminal: line breaks and tabs stay, a carriage return
 * becomes a line break (ffmpeg's progress lines stay readable and no line can overwrite
 * another), every other unsafe character is escaped.
 */
export function escapeLog(text: string): string {
  return escapeExcept(text.replace(/\r\n?/g, "\n"), "\n\t");
}

/** A copy of a JSON-like value with every string escaped, keys included: host-supplied records before human rendering. */
export function escapeStrings<T>(value: T): T {
  if (typeof value === "string") return escapeText(value) as T;
  if (Array.isArray(value)) return value.map(escapeStrings) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [escapeText(k), escapeStrings(v)]),
    ) as T;
  }
  return value;
}

/** At most about `max` characters of escaped user text: its head, `…`, its tail. */
export function excerpt(text: string | null | undefined, max = 64): string {
  text ??= "";
  const whole = escapeText(text);
  if (whole.length <= max) return whole;
  // Cut between characters, never inside an escape or a surrogate pair.
  const units = [...text].map((c) => escapeText(c));
  const half = Math.floor((max - 1) / 2);
  let head = "";
  for (const u of units) {
    if (head.length + u.length > half) break;
    head += u;
  }
  let tail = "";
  for (let i = units.length - 1; i >= 0; i--) {
    if (tail.length + units[i]!.length > half) break;
    tail = units[i] + tail;
  }
  return `${head}…${tail}`;
}

/**
 * Where JSON.parse gave up ("at position 12 (line 1 column 13)"), without the text V8 quotes
 * from the input: a file's content (a password, /etc/passwd) must not reach an error message.
 */
export function jsonErrorPlace(e: unknown): string {
  const m = /at position \d+(?: \(line \d+ column \d+\))?/.exec(String((e as Error)?.message));
  return m ? m[0] : "";
}

/**
 * parseJson whose syntax error is the caller's own, told only where it failed ("" if unknown).
 * With `rounded`, an integer JavaScript would round (beyond 2^53) is refused, not changed.
 */
export function parseJsonOr(
  text: string,
  fail: (place: string) => Error,
  rounded?: (literal: string) => Error,
): unknown {
  let value: unknown;
  let inexact: string | undefined;
  try {
    value = parseJson(
      text,
      rounded &&
        ((literal, v) => {
          // An integer literal is exact only if it prints back as typed.
          if (
            inexact === undefined && !Number.isSafeInteger(v) && Number.isFinite(v) &&
            /^-?\d+$/.test(literal) && BigInt(literal) !== BigInt(v)
          ) inexact = literal;
        }),
    );
  } catch (e) {
    throw fail(jsonErrorPlace(e));
  }
  if (inexact !== undefined) throw rounded!(inexact);
  return value;
}

/** Multi-line text with each line escaped; its line breaks stay. */
export function escapeLines(text: string): string {
  return escapeExcept(text, "\n");
}
