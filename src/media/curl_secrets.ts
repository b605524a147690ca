/**
 * Moving curl credentials off the command line (pure). Every credential-bearing option, as
 * curl_args.ts reads it, goes into a curl config file per `--next` group; barn writes each file
 * (0600) and puts `-K <file>` at the start of its group, where curl reads it inline. The argv
 * that is stored, shown and run keeps none of them.
 */

import { BarnError } from "../errors.ts";
import { type CurlToken, parseCurlArgs, rewriteCurlArgs } from "./curl_args.ts";
import { shownWithout, splitUserinfo, userinfoSites, type UserinfoSplit } from "./userinfo.ts";

/** One config file: its lines, and the argv index its `-K <file>` goes before. */
export interface CurlConfigFile {
  at: number;
  text: string;
}

export interface CurlSplit {
  /** argv without credentials (argv[0] included). */
  command: string[];
  /** One per group that had credentials, in argv order; empty when there were none. */
  configs: CurlConfigFile[];
}

/** Options whose value is a credential, always moved whole. */
const SECRET_OPTIONS = new Set([
  "user",
  "proxy-user",
  "oauth2-bearer",
  "pass",
  "proxy-pass",
  "tlsuser",
  "tlspassword",
  "proxy-tlsuser",
  "proxy-tlspassword",
  "httpsig-key",
]);

/** Proxy options without a `-user` counterpart: moved whole when their URL has userinfo. */
const PROXY_URL_OPTIONS = new Set([
  "preproxy",
  "proxy1.0",
  "socks4",
  "socks4a",
  "socks5",
  "socks5-hostname",
]);

/** Options that write curl's view of a transfer (headers included) where no redactor sees it. */
const UNREDACTED_OUTPUTS = new Set(["trace", "trace-ascii", "libcurl"]);

/** Header names that carry credentials: Authorization, Proxy-Authorization, Cookie, and API tokens. */
export function isSecretHeader(name: string): boolean {
  return /auth|cookie|token|secret|passw|api-?key|session/i.test(name);
}

/** The name of a `Name: value` header line, or null for `@file` and other forms. */
function headerName(line: string): string | null {
  const m = /^\s*([^:;\s@][^:;\s]*)\s*[:;]/.exec(line);
  return m ? m[1]! : null;
}

/** Quotes a value for curl's config file. */
export function curlQuote(v: string): string {
  return '"' +
    v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t").replace(/\v/g, "\\v") +
    '"';
}

function usage(message: string): BarnError {
  return new BarnError("E_USAGE", message);
}

/** `user:password` for curl's `user`/`proxy-user` option, from percent-encoded URL userinfo. */
function loginOf(s: UserinfoSplit, what: string): string {
  if (/[{}[\]]/.test(s.userinfo)) {
    throw usage(
      `${what}: barn cannot move credentials out of a URL with {} or [] globbing in its host part; ` +
        "write one URL per credential",
    );
  }
  if (s.userinfo.includes(";") && s.scheme !== null && !/^https?$/.test(s.scheme)) {
    throw usage(
      `${what}: login options (;…) in a URL can't be moved off the command line; ` +
        "use --login-options and -u",
    );
  }
  const colon = s.userinfo.indexOf(":");
  const rawUser = colon < 0 ? s.userinfo : s.userinfo.slice(0, colon);
  const rawPass = colon < 0 ? "" : s.userinfo.slice(colon + 1);
  let user: string;
  let pass: string;
  try {
    user = decodeURIComponent(rawUser);
    pass = decodeURIComponent(rawPass);
  } catch {
    throw usage(`${what}: its user:password@ part is not valid percent-encoding`);
  }
  if (user.includes(":")) {
    throw usage(`${what}: a user name with ':' can't be moved off the command line; use -u`);
  }
  // Without a password curl asks for none (a URL's "user@"); `user:` keeps it that way.
  return `${user}:${pass}`;
}

/** What `--opt` looked like on the command line, for messages (never its value). */
function spelling(t: CurlToken): string {
  if (t.positional) return "a URL";
  return `--${t.negated ? "no-" : t.expand ? "expand-" : ""}${t.name}`;
}

/** Whether the token's value is a credential barn moves (URLs and proxies are handled apart). */
function isSecret(t: CurlToken): boolean {
  const v = t.value ?? "";
  if (SECRET_OPTIONS.has(t.name)) return true;
  if (t.name === "cert" || t.name === "proxy-cert") return v.includes(":");
  if (t.name === "header" || t.name === "proxy-header") {
    return v.split(/\r?\n/).some((l) => {
      const name = headerName(l);
      return name !== null && isSecretHeader(name);
    });
  }
  if (t.name === "cookie") return v.includes("=");
  if (PROXY_URL_OPTIONS.has(t.name)) return splitUserinfo(v) !== null;
  return false;
}

/** Splits credentials off a curl argv; throws E_USAGE for what barn can't move safely. */
export function splitCurlSecrets(command: readonly string[]): CurlSplit {
  const { tokens, groupStarts } = parseCurlArgs(command);
  const config = tokens.find((t) => t.name === "config");
  if (config) {
    throw usage(
      "curl -K/--config is not accepted in barn jobs: barn can't see what the file sets (URLs, " +
        "groups, protocols). Give options on the command line (barn moves credentials off it), or " +
        "keep passwords in a netrc file (--netrc-file) and headers in a file (-H @file)",
    );
  }
  const lines: string[][] = groupStarts.map(() => []);
  const drop = new Set<CurlToken>();
  const replace = new Map<CurlToken, string>();
  const line = (t: CurlToken, name: string, value: string) =>
    lines[t.group]!.push(`${name} = ${curlQuote(value)}`);

  for (const t of tokens) {
    if (t.kind !== "arg" || t.value === null) continue;
    const urlLogin = (t.name === "url" || t.name === "proxy") && splitUserinfo(t.value) !== null;
    if (t.expand && (isSecret(t) || urlLogin)) {
      throw usage(
        `curl option ${spelling(t)}: barn can't tell what it expands to, so it can't keep ` +
          "credentials off the command line; give the value itself",
      );
    }
    if (t.name === "url" || (t.name === "proxy" && !urlLogin)) continue;
    if (t.name === "proxy") {
      const s = splitUserinfo(t.value)!;
      const others = tokens.filter((o) =>
        o.group === t.group && o !== t && (o.name === "proxy-user" || o.name === "proxy")
      );
      if (others.length > 0) {
        throw usage(
          "curl got a proxy with user:password@ and another -x or -U in the same group, and " +
            "moving the login would change which proxy gets it; give one proxy with its login",
        );
      }
      line(t, "proxy-user", loginOf(s, "the proxy URL"));
      replace.set(t, s.prefix + s.rest);
    } else if (isSecret(t)) {
      line(t, t.name, t.value);
      drop.add(t);
    }
  }
  for (let g = 0; g < groupStarts.length; g++) moveUrlLogins(tokens, g, lines[g]!, replace);

  // To stdout or stderr a trace lands in the job's logs, with logins barn never saw (--netrc-file,
  // -H @file): a hex trace splits them over lines, and long ASCII lines wrap past the redactor.
  const toLogs = tokens.find((t) =>
    UNREDACTED_OUTPUTS.has(t.name) && (t.value === "-" || t.value === "%")
  );
  if (toLogs) {
    throw usage(
      `curl option ${spelling(toLogs)} ${toLogs.value} would put what curl sends (logins from ` +
        "--netrc-file or -H @file included) in the job's logs, where barn can't redact it; write " +
        "it to a file of your own, or use -v, whose output is redacted",
    );
  }
  const moved = lines.some((l) => l.length > 0);
  if (moved) {
    const out = tokens.find((t) =>
      UNREDACTED_OUTPUTS.has(t.name) || (t.name === "stderr" && t.value !== "-")
    );
    if (out) {
      throw usage(
        `curl option ${spelling(out)} writes what curl sends (its credentials included) to a ` +
          "file barn can't redact; drop it (-v output is redacted in the job's logs)",
      );
    }
  }
  const { words, newIndex } = rewriteCurlArgs(command, drop, replace);
  for (const w of words.slice(1)) {
    // curl's URL parser takes one to three slashes after the scheme (`http:/user:pw@host`).
    if (userinfoSites(w).some((s) => s.slashes > 0 && /[a-z]/i.test(s.run))) {
      throw usage(
        `curl argument '${shownWithout(w, /(:\/+)[^/?#\s]*@/g)}' has user:password@ ` +
          "where barn can't move it off the command line; give credentials with -u, or a URL of " +
          "its own",
      );
    }
  }
  return {
    command: words,
    configs: lines.flatMap((l, g) =>
      l.length ? [{ at: newIndex(groupStarts[g]!), text: l.join("\n") + "\n" }] : []
    ),
  };
}

/** A group's URL userinfo becomes its `user` line, when that means the same to curl. */
function moveUrlLogins(
  tokens: readonly CurlToken[],
  group: number,
  lines: string[],
  replace: Map<CurlToken, string>,
): void {
  const urls = tokens.filter((t) => t.group === group && t.name === "url");
  const splits = urls.map((t) => splitUserinfo(t.value!));
  if (splits.every((s) => s === null)) return;
  const infos = new Set(splits.map((s) => s?.userinfo ?? null));
  if (infos.size > 1) {
    throw usage(
      "curl sends a group's credentials to every URL in it, and these URLs have different " +
        "user:password@ parts (or some have none): give each its own group with --next " +
        "(`curl URL1 --next URL2`)",
    );
  }
  if (tokens.some((t) => t.group === group && t.name === "user")) {
    throw usage(
      "curl got credentials twice (-u and user:password@ in the URL); give one of them",
    );
  }
  lines.push(`user = ${curlQuote(loginOf(splits[0]!, "the URL"))}`);
  urls.forEach((t, i) => replace.set(t, splits[i]!.prefix + splits[i]!.rest));
}

/** Puts `-K <path>` for each config file at its place; `paths[i]` belongs to `configs[i]`. */
export function withCurlConfigs(
  command: readonly string[],
  configs: readonly { at: number }[],
  paths: readonly string[],
): string[] {
  const out = [...command];
  for (let i = configs.length - 1; i >= 0; i--) out.splice(configs[i]!.at, 0, "-K", paths[i]!);
  return out;
}
