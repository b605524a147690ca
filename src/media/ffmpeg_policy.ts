/**
 * What an ffmpeg or ffprobe job may reach (pure). Each input and output runs with a
 * `-protocol_whitelist` of the allowed protocols (ffmpeg checks it for every protocol a file
 * opens, nested ones included: https → tls → tcp). ffmpeg can't take credentials off its command
 * line, so URLs with userinfo and credential headers are refused at submission.
 */

import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";
import { parseFfmpegArgs } from "./ffmpeg_args.ts";
import { isSecretHeader } from "./curl_secrets.ts";
import { FFMPEG_PROTOCOL_NAMES } from "./protocol_names.ts";
import { shownWithout, userinfoSites } from "./userinfo.ts";

const FFMPEG_PROTOCOLS = new Set(FFMPEG_PROTOCOL_NAMES);

/** Protocols that open local things: a `file:a@b.mp4` is a file name, not a login. */
const LOCAL_PROTOCOLS = new Set(["file", "pipe", "fd"]);

/**
 * Whether `arg` has `proto:user:pw@` as ffmpeg's URL splitter (av_url_split) reads it: the
 * scheme, then up to two slashes, which it skips (`http:u:pw@h`, `http:/u:pw@h`); any
 * scheme followed by `://` too.
 */
export function hasUserinfo(arg: string): boolean {
  return userinfoSites(arg).some(({ run, slashes }) => {
    // `x://` with any scheme (a run holding a letter ends in one).
    if (slashes === 2 && /[a-z]/i.test(run)) return true;
    if (slashes > 2 || !/^[a-z]/i.test(run)) return false;
    const names = run.toLowerCase().split("+");
    return names.some((n) => FFMPEG_PROTOCOLS.has(n) && !LOCAL_PROTOCOLS.has(n));
  });
}

/** Options of ffmpeg's http protocol that carry credentials. */
const SECRET_OPTIONS = new Set(["-cookies"]);

function usage(message: string): BarnError {
  return new BarnError("E_USAGE", message);
}

/** The protocols of a whitelist value that `allowed` also allows. */
function intersect(list: string, allowed: readonly string[]): string[] {
  const asked = new Set(list.split(",").map((p) => p.trim().toLowerCase()));
  return allowed.filter((p) => asked.has(p));
}

/**
 * Refuses (E_USAGE) what an ffmpeg/ffprobe job must not carry or reach: a URL with userinfo
 * anywhere in its arguments, credential headers or cookies, a protocol outside `allowed`, and a
 * `-protocol_whitelist` that leaves none of `allowed`.
 */
export function checkFfmpegArgs(command: readonly string[], allowed: readonly string[]): void {
  const [tool, ...args] = command;
  args.forEach((a, i) => {
    if (hasUserinfo(a)) {
      throw usage(
        `${tool} can't take credentials off its command line, and '${
          shownWithout(a, /(:\/{0,2})[^/?#\s:]*(?::[^/?#\s]*)?@/gi)
        }' has user:password@: fetch the input first (\`barn get\`, or a curl job with -u), ` +
          "then give its local path",
      );
    }
    const prev = args[i - 1];
    const header = a.split(/\r?\n/).some((l) => {
      const m = /^\s*([^:\s]+)\s*:/.exec(l);
      return m !== null && isSecretHeader(m[1]!);
    });
    if ((prev === "-headers" && header) || (prev !== undefined && SECRET_OPTIONS.has(prev))) {
      throw usage(
        `${tool} ${prev} would put credentials on its command line, where \`ps\` shows them: ` +
          "fetch the input first (`barn get`, or a curl job, whose credentials barn moves)",
      );
    }
    for (const m of a.matchAll(/(?<![A-Za-z0-9_.+-])([a-z][a-z0-9_]*)(?=[:+,])/g)) {
      const p = m[1]!;
      if (
        FFMPEG_PROTOCOLS.has(p) && !allowed.includes(p) &&
        (a[m.index! + p.length] !== "," || p === "subfile")
      ) {
        throw usage(
          `'${excerpt(a)}' uses ffmpeg's ${p} protocol, which ${tool} jobs may not use ` +
            `(allowed: ${allowed.join(", ")}; widen config key ffmpeg_protocols to allow it)`,
        );
      }
    }
  });
  for (const list of userWhitelists(command)) {
    if (intersect(list, allowed).length === 0) {
      throw usage(
        `${tool} -protocol_whitelist '${excerpt(list)}' allows none of the protocols barn lets ` +
          `${tool} jobs use (${allowed.join(", ")}; config key ffmpeg_protocols)`,
      );
    }
  }
}

/** Every `-protocol_whitelist` value the user gave. */
function userWhitelists(command: readonly string[]): string[] {
  const out: string[] = [];
  command.forEach((a, i) => {
    if (a === "-protocol_whitelist" && i + 1 < command.length) out.push(command[i + 1]!);
  });
  return out;
}

/** The whitelist for one file: `allowed`, narrowed by the user's own for that file. */
function whitelistFor(userList: string | undefined, allowed: readonly string[]): string {
  const set = userList === undefined ? [...allowed] : intersect(userList, allowed);
  // An empty whitelist would mean "no whitelist"; a name no protocol has denies them all.
  return set.length ? set.join(",") : "none";
}

/**
 * The argv that runs: `-protocol_whitelist` right before each ffmpeg input's `-i` and each
 * output (after the file's own options, so it is the one ffmpeg keeps), or last for ffprobe.
 */
export function ffmpegRunArgs(
  tool: string,
  args: readonly string[],
  allowed: readonly string[],
): string[] {
  if (tool === "ffprobe") {
    const lists = userWhitelists(["ffprobe", ...args]);
    return [...args, "-protocol_whitelist", whitelistFor(lists[lists.length - 1], allowed)];
  }
  const { inputs, outputs } = parseFfmpegArgs(args);
  const out = [...args];
  const files = [...inputs, ...outputs].sort((a, b) => b.at - a.at);
  for (const f of files) {
    const own = f.options["-protocol_whitelist"];
    const list = own === undefined ? undefined : args[own + 1];
    out.splice(f.at, 0, "-protocol_whitelist", whitelistFor(list, allowed));
  }
  return out;
}
