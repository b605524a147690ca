/**
 * The protocols a curl job may use (pure). Every `--next` group runs with
 * `--proto =<allowed> --proto-redir =<allowed>` (curl keeps both per group), and curl starts with
 * `-q` so that no ~/.curlrc can add groups or options barn doesn't see. A `--proto` of the
 * user's own can only narrow: barn replaces it with its intersection with the allowed set.
 */

import { BarnError } from "../errors.ts";
import { type CurlToken, parseCurlArgs, rewriteCurlArgs, skipsCurlrc } from "./curl_args.ts";

/** The two options that set a group's protocols. */
const PROTO_OPTIONS = ["proto", "proto-redir"] as const;

/**
 * Which of `allowed` a `--proto` value permits, evaluated as curl does: left to right from all
 * protocols; each comma-separated name (or `all`) is added, or with `-` removed, or with `=` made
 * the only one. Names are case-insensitive; curl ignores unknown names but for `=name`.
 */
export function protoIntersection(spec: string, allowed: readonly string[]): string[] {
  return allowed.filter((p) => {
    let on = true;
    for (const raw of spec.split(",")) {
      if (raw === "") continue;
      const action = "=-+".includes(raw[0]!) ? raw[0]! : "+";
      const name = (action === raw[0] ? raw.slice(1) : raw).toLowerCase();
      const hit = name === "all" || name === p;
      if (action === "-") on = hit ? false : on;
      else if (action === "+") on = hit ? true : on;
      else on = hit;
    }
    return on;
  });
}

/** Per group, the last value of each protocol option the user gave (the one curl keeps). */
function userProtocols(tokens: readonly CurlToken[], group: number, name: string): string | null {
  const given = tokens.filter((t) => t.group === group && t.name === name);
  return given.length ? given[given.length - 1]!.value : null;
}

/** Refuses (E_USAGE) a `--proto` that leaves none of the allowed protocols. */
export function checkCurlProtocols(command: readonly string[], allowed: readonly string[]): void {
  const { tokens, groupStarts } = parseCurlArgs(command);
  for (let g = 0; g < groupStarts.length; g++) {
    for (const name of PROTO_OPTIONS) {
      const spec = userProtocols(tokens, g, name);
      if (spec !== null && protoIntersection(spec, allowed).length === 0) {
        throw new BarnError(
          "E_USAGE",
          `curl --${name} allows none of the protocols barn lets curl jobs use ` +
            `(${allowed.join(", ")}; config key curl_protocols)`,
        );
      }
    }
  }
}

/** The argv that runs: `-q` first, and each group's protocols set to what policy allows. */
export function curlRunArgv(command: readonly string[], allowed: readonly string[]): string[] {
  const { tokens, groupStarts } = parseCurlArgs(command);
  const drop = new Set(tokens.filter((t) => (PROTO_OPTIONS as readonly string[]).includes(t.name)));
  const { words, newIndex } = rewriteCurlArgs(command, drop);
  const inserts = groupStarts.map((start, g) => ({
    at: newIndex(start),
    args: PROTO_OPTIONS.flatMap((name) => {
      const spec = userProtocols(tokens, g, name);
      const set = spec === null ? [...allowed] : protoIntersection(spec, allowed);
      // An empty set can't be written as `=`; `-all` denies every protocol, as intended.
      return [`--${name}`, set.length ? `=${set.join(",")}` : "-all"];
    }),
  }));
  for (let i = inserts.length - 1; i >= 0; i--) {
    words.splice(inserts[i]!.at, 0, ...inserts[i]!.args);
  }
  return skipsCurlrc(words) ? words : [words[0]!, "-q", ...words.slice(1)];
}
