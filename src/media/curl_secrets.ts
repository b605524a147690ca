/**
 * Moving curl credentials off the command line (pure): `-u`/`--user`, `-U`/`--proxy-user`,
 * `--oauth2-bearer`, userinfo in URLs, and Authorization headers go into a curl config
 * file that barn passes with `-K`; the argv that is stored and run keeps none of them.
 */

export interface CurlSplit {
  /** argv without credentials (argv[0] included). */
  command: string[];
  /** curl config-file lines holding the credentials, or "" when there were none. */
  config: string;
}

/** Quotes a value for curl's config file. */
export function curlQuote(v: string): string {
  return '"' +
    v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t") +
    '"';
}

const SECRET_HEADER = /^\s*(proxy-)?authorization\s*:|^\s*cookie\s*:/i;

/** Removes `user:pass@` from an http(s)/ftp URL; returns the userinfo separately. */
export function stripUserinfo(url: string): { url: string; userinfo: string | null } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@(.*)$/i.exec(url);
  if (!m) return { url, userinfo: null };
  return { url: m[1]! + m[3]!, userinfo: decodeURIComponent(m[2]!) };
}

export function splitCurlSecrets(argv: readonly string[]): CurlSplit {
  const [cmd, ...args] = argv;
  const out: string[] = [cmd!];
  const lines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = () => args[++i] ?? "";
    if (a === "-u" || a === "--user") lines.push(`user = ${curlQuote(next())}`);
    else if (/^-u./.test(a)) lines.push(`user = ${curlQuote(a.slice(2))}`);
    else if (a === "-U" || a === "--proxy-user") lines.push(`proxy-user = ${curlQuote(next())}`);
    else if (/^-U./.test(a)) lines.push(`proxy-user = ${curlQuote(a.slice(2))}`);
    else if (a === "--oauth2-bearer") lines.push(`oauth2-bearer = ${curlQuote(next())}`);
    else if (
      (a === "-H" || a === "--header" || a === "--proxy-header") &&
      SECRET_HEADER.test(args[i + 1] ?? "")
    ) {
      lines.push(`${a === "--proxy-header" ? "proxy-header" : "header"} = ${curlQuote(next())}`);
    } else if (/^-H./.test(a) && SECRET_HEADER.test(a.slice(2))) {
      lines.push(`header = ${curlQuote(a.slice(2))}`);
    } else if (a.startsWith("-") && a !== "-") out.push(a);
    else {
      const { url, userinfo } = stripUserinfo(a);
      if (userinfo !== null) {
        lines.push(`user = ${curlQuote(userinfo)}`);
        out.push(url);
      } else out.push(a);
    }
  }
  return { command: out, config: lines.length ? lines.join("\n") + "\n" : "" };
}

/** Points curl at its credentials file: `-K <path>` right after the command name. */
export function withCurlConfig(command: readonly string[], path: string): string[] {
  return [command[0]!, "-K", path, ...command.slice(1)];
}
