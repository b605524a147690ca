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
