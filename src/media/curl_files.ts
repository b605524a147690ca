/**
 * The local files a curl argv names (pure), for the secret-input check, read with curl's own
 * parser (curl_args.ts). It over-approximates: a value that names no file costs the check one
 * failed lookup.
 */

import { parseCurlArgs } from "./curl_args.ts";

/** Long options whose value is a local file, to read or to write. */
const FILE_OPTIONS = [
  "upload-file",
  "config",
  "cookie",
  "cookie-jar",
  "output",
  "dump-header",
  "trace",
  "trace-ascii",
  "stderr",
  "libcurl",
  "netrc-file",
  "etag-save",
  "etag-compare",
  "hsts",
  "alt-svc",
];

/** Options whose file names curl expands as globs ({a,b}, [1-9]). */
const GLOBBED = new Set(["upload-file"]);

/** At most this many glob expansions are checked; a larger glob is refused as uncheckable. */
export const MAX_GLOB = 10_000;

/**
 * Expands curl's URL/file globbing: `{a,b}` alternatives and `[1-3]`, `[a-c]`, `[01-10:2]`
 * ranges. Null when the expansion would exceed `max`.
 */
export function expandCurlGlob(text: string, max = MAX_GLOB): string[] | null {
  let out = [""];
  const grow = (options: string[]): boolean => {
    if (out.length * options.length > max) return false;
    out = out.flatMap((o) => options.map((x) => o + x));
    return true;
  };
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    const close = c === "{" ? text.indexOf("}", i) : c === "[" ? text.indexOf("]", i) : -1;
    if (close < 0) {
      if (!grow([c === "\\" && i + 1 < text.length ? text[++i]! : c])) return null;
      i++;
      continue;
    }
    const body = text.slice(i + 1, close);
    const options = c === "{" ? body.split(",") : range(body, max);
    if (options === null || !grow(options)) return null;
    i = close + 1;
  }
  return out;
}

function range(body: string, max: number): string[] | null {
  const m = /^(?:(\d+)-(\d+)|([a-zA-Z])-([a-zA-Z]))(?::(\d+))?$/.exec(body);
  if (!m) return [`[${body}]`];
  const step = Number(m[5] ?? 1) || 1;
  const out: string[] = [];
  if (m[1] !== undefined) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    if ((b - a) / step >= max) return null;
    for (let n = a; n <= b; n += step) out.push(String(n).padStart(m[1].length, "0"));
  } else {
    for (let n = m[3]!.charCodeAt(0); n <= m[4]!.charCodeAt(0); n += step) {
      out.push(String.fromCharCode(n));
    }
  }
  return out;
}

/** The paths inside `@file`, `name@file`, `name=@file;type=…`, `name=<file` and `file:` words. */
function valueFiles(word: string): string[] {
  const out: string[] = [];
  if (word.startsWith("@")) out.push(word.slice(1));
  else if (/^[^=@/:]+@/.test(word)) out.push(word.slice(word.indexOf("@") + 1));
  const form = /^[^=]*=[@<]"?([^";]*)/.exec(word);
  if (form) out.push(form[1]!);
  if (/^file:/i.test(word)) {
    try {
      out.push(decodeURIComponent(new URL(word).pathname));
    } catch {
      out.push(word.replace(/^file:(\/\/[^/]*)?/i, ""));
    }
  }
  return out.filter((p) => p !== "" && p !== "-");
}

/**
 * Every local path a curl argv (without argv[0]) names, globs expanded; null when a glob is too
 * large to check. An argv curl would refuse names nothing here: the submission refuses it anyway
 * (E_USAGE, media/admit.ts).
 */
export function curlFileArgs(args: readonly string[]): string[] | null {
  let tokens;
  try {
    tokens = parseCurlArgs(["curl", ...args]).tokens;
  } catch {
    return [];
  }
  const globOn = !tokens.some((t) => t.name === "globoff" && !t.negated);
  const out: string[] = [];
  const expand = (v: string, glob: boolean) =>
    glob && globOn && /[{[]/.test(v) ? expandCurlGlob(v) : [v];
  for (const t of tokens) {
    const v = t.value;
    if (v === null || v === "" || v === "-") continue;
    if (FILE_OPTIONS.includes(t.name)) {
      const all = expand(v, GLOBBED.has(t.name));
      if (all === null) return null;
      out.push(...all);
      continue;
    }
    // Any other value (a URL, -d @file, -F name=<file …) may name a file in one of curl's forms.
    const all = expand(v, t.name === "url");
    if (all === null) return null;
    for (const w of all) out.push(...valueFiles(w));
  }
  return [...new Set(out)];
}
