/** Job ids: 12 characters, random first so short prefixes differ, time second so ids never repeat. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case
const EPOCH_S = 1_704_067_200; // 2024-01-01T00:00:00Z
export const MIN_PREFIX = 4;
export const ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{12}$/;

function encode(n: number, width: number): string {
  let s = "";
  for (let i = 0; i < width; i++) {
    s = ALPHABET[n % 32] + s;
    n = Math.floor(n / 32);
  }
  return s;
}

/** 30 random bits, then the seconds since 2024 (30 bits, good until 2058). */
export function newJobId(
  nowMs = Date.now(),
  random = crypto.getRandomValues(new Uint32Array(1))[0]!,
): string {
  const seconds = Math.max(0, Math.floor(nowMs / 1000) - EPOCH_S);
  return encode(random & 0x3fffffff, 6) + encode(seconds % 2 ** 30, 6);
}

/** Checks a user-typed id or prefix before any lookup. */
export function checkIdPrefix(prefix: string): string {
  const p = prefix.toLowerCase();
  if (p.length < MIN_PREFIX || p.length > 12 || !/^[0-9a-z]+$/.test(p)) {
    throw new BarnError(
      "E_USAGE",
      `'${excerpt(prefix)}' is not a job id: use the id that \`barn run\` printed, or at least ` +
        `its first ${MIN_PREFIX} characters (see \`barn status\`)`,
    );
  }
  return p;
}

/** Job names (`--name`) and queue group names: a letter or digit, then letters, digits, `.`, `_`, `-`. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks a `--name` (or a group name, with `what` saying which). */
export function checkName(name: string, what = "--name"): string {
  if (!NAME_PATTERN.test(name)) {
    throw new BarnError(
      "E_USAGE",
      `${what} '${excerpt(name)}' is not a valid name: use 1 to 64 letters, digits, '.', '_' or ` +
        "'-', starting with a letter or digit",
    );
  }
  return name;
}

/**
 * Checks a user-typed job reference before any lookup: `@NAME` (a job's `--name`; the `@` keeps
 * names apart from id prefixes) or an id or prefix. Returns it normalised.
 */
export function checkJobRef(text: string): string {
  if (text.startsWith("@")) return "@" + checkName(text.slice(1), "job name");
  return checkIdPrefix(text);
}

/** Picks the one id matching a prefix, or explains why none or several do. */
export function resolvePrefix(prefix: string, candidates: readonly string[]): string {
  const p = checkIdPrefix(prefix);
  const exact = candidates.find((id) => id === p);
  if (exact) return exact;
  const matches = candidates.filter((id) => id.startsWith(p));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new BarnError(
      "E_NOT_FOUND",
      `no job matches '${excerpt(prefix)}': list jobs with \`barn status\``,
    );
  }
  throw new BarnError(
    "E_AMBIGUOUS",
    `'${excerpt(prefix)}' matches ${matches.length} jobs (${matches.slice(0, 10).join(", ")}${
      matches.length > 10 ? ", …" : ""
    }): type more characters of the id`,
  );
}
