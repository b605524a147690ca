/**
 * The local files a curl argv names (pure): a small extractor for the secret-input check, to be
 * moved onto the full option parser (curl_args.ts) once that lands. It over-approximates: a word
 * that names no file costs the check one failed lookup.
 */

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

/** Short options that take a value (curl's option table); a cluster ends at the first of them. */
const SHORT_WITH_VALUE = "EKCbcdDFPHhmoUQrtzTuAxYyweX";
const SHORT_FILE: Record<string, string> = {
  T: "upload-file",
  K: "config",
  b: "cookie",
  c: "cookie-jar",
  o: "output",
  D: "dump-header",
};

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

function isGlobOff(args: readonly string[]): boolean {
  return args.some((a) => a === "--globoff" || (/^-[A-Za-z0-9#:]+$/.test(a) && clusterHasG(a)));
}

function clusterHasG(word: string): boolean {
  for (const c of word.slice(1)) {
    if (c === "g") return true;
    if (SHORT_WITH_VALUE.includes(c)) return false;
  }
  return false;
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
 * large to check.
 */
export function curlFileArgs(args: readonly string[]): string[] | null {
  const globOn = !isGlobOff(args);
  const out: string[] = [];
  const expand = (v: string, glob: boolean) =>
    glob && globOn && /[{[]/.test(v) ? expandCurlGlob(v) : [v];
  const addPath = (option: string, value: string | undefined): boolean => {
    if (value === undefined || value === "" || value === "-") return true;
    const all = expand(value, GLOBBED.has(option));
    if (all !== null) out.push(...all);
    return all !== null;
  };
  const addWord = (word: string): boolean => {
    const all = expand(word, /^file:/i.test(word));
    for (const w of all ?? []) out.push(...valueFiles(w));
    return all !== null;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!addWord(a)) return null;
    if (a.startsWith("--") && a.length > 2) {
      const name = a.slice(2);
      // curl takes any unambiguous prefix of a long option's name.
      const opt = FILE_OPTIONS.find((o) => o === name) ??
        FILE_OPTIONS.find((o) => o.startsWith(name));
      if (opt !== undefined && !addPath(opt, args[++i])) return null;
    } else if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (!SHORT_WITH_VALUE.includes(c)) continue;
        const value = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        const opt = SHORT_FILE[c];
        const ok = opt !== undefined ? addPath(opt, value) : addWord(value ?? "");
        if (!ok) return null;
        break;
      }
    }
  }
  return [...new Set(out)];
}
