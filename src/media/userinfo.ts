/** The userinfo (`user:password@`) of URLs as users give them: found as curl finds it, and kept out of sight (pure). */

import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";

/** A URL split around its userinfo: `prefix` (scheme://), `userinfo`, `rest` (host and on). */
export interface UserinfoSplit {
  scheme: string | null;
  prefix: string;
  userinfo: string;
  rest: string;
}

/**
 * Finds userinfo as curl does: in the authority (up to the first `/`, `?` or `#`), before its
 * first `@`; curl also takes URLs without a scheme (`user:pw@host/path`), and a scheme with one
 * to three slashes (`http:/user:pw@host`), so any number of slashes starts the authority here.
 */
export function splitUserinfo(url: string): UserinfoSplit | null {
  const m = /^(?:([a-z][a-z0-9+.-]*):(\/+))?([^/?#]*)/i.exec(url)!;
  const prefix = m[1] === undefined ? "" : `${m[1]}:${m[2]}`;
  const authority = m[3]!;
  const at = authority.indexOf("@");
  if (at < 0) return null;
  return {
    scheme: m[1]?.toLowerCase() ?? null,
    prefix,
    userinfo: authority.slice(0, at),
    rest: url.slice(prefix.length + at + 1),
  };
}

/** Removes `user:pass@` from a URL; returns the userinfo separately. */
export function stripUserinfo(url: string): { url: string; userinfo: string | null } {
  const s = splitUserinfo(url);
  return s ? { url: s.prefix + s.rest, userinfo: decodeURIComponent(s.userinfo) } : {
    url,
    userinfo: null,
  };
}

/** The URL as it may be shown: any userinfo replaced by `…@`, then escaped and cut. */
export function shownUrl(text: string): string {
  const s = splitUserinfo(text);
  return excerpt(s ? `${s.prefix}…@${s.rest}` : text);
}

/** `text` as an http(s) URL; else E_USAGE, whose message `notUrl` or `notHttp` makes of the URL as shown. */
export function httpUrl(
  text: string,
  notUrl: (shown: string) => string,
  notHttp: (shown: string) => string,
): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new BarnError("E_USAGE", notUrl(shownUrl(text)));
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new BarnError("E_USAGE", notHttp(shownUrl(text)));
  }
  return u;
}

/** Where an argument could hold `user:pw@`: the scheme-like run before a colon, and the slashes after it. */
export interface UserinfoSite {
  /** The whole run of scheme characters (`[a-z0-9+.-]`) before the colon. */
  run: string;
  /** Slashes between the colon and the userinfo: 0 when the colon is inside it (`http:u:pw@h`). */
  slashes: number;
}

/**
 * Every `scheme:` that is followed, after its slashes, by text up to an `@` with no `/`, `?`,
 * `#` or space: where a URL splitter could read userinfo. One pass over the argument (a regex
 * search for this backtracks quadratically, and a 100 KB argument froze the service).
 */
export function userinfoSites(arg: string): UserinfoSite[] {
  const sites: UserinfoSite[] = [];
  if (!arg.includes("@")) return sites;
  // Userinfo lies within one run between delimiters, before that run's last `@`.
  for (const m of arg.matchAll(/[^/?#\s]+/g)) {
    const at = m[0].lastIndexOf("@");
    if (at < 0) continue;
    for (const s of m[0].slice(0, at).matchAll(/(?<![a-z0-9+.-])([a-z0-9+.-]+):/gi)) {
      sites.push({ run: s[1]!, slashes: 0 });
    }
    let colon = m.index! - 1;
    while (colon >= 0 && arg[colon] === "/") colon--;
    const slashes = m.index! - 1 - colon;
    if (slashes === 0 || arg[colon] !== ":") continue;
    let start = colon;
    while (start > 0 && SCHEME_CHAR.test(arg[start - 1]!)) start--;
    if (start < colon) sites.push({ run: arg.slice(start, colon), slashes });
  }
  return sites;
}

const SCHEME_CHAR = /[a-z0-9+.-]/i;

/**
 * An argument for a refusal, its userinfo replaced through `hide` (a `g` regex whose first group
 * is kept before "…@"). A long one is only counted: the replacement backtracks on it.
 */
export function shownWithout(arg: string, hide: RegExp): string {
  if (arg.length > 1024) return `<an argument of ${arg.length} characters>`;
  return excerpt(arg.replace(hide, "$1…@"));
}
