/**
 * The files a finished job wrote, as far as its argv says (pure): ffmpeg's file outputs, curl's
 * `-o`/`--output` targets (under their group's `--output-dir`), and `barn get`'s local path. What
 * the argv cannot name (curl `-O`, `-J`, `#1` globs, ffmpeg's numbered or segment outputs) is
 * reported, so `barn export` can say why it is missing and how to add it (`--include`).
 */

import { isAbsolute, join, resolve } from "../platform/path.ts";
import { isFileOutput, parseFfmpegArgs } from "../media/ffmpeg_args.ts";
import { parseCurlArgs } from "../media/curl_args.ts";
import { isTransfer } from "../jobs/policy.ts";

export interface JobOutputs {
  /** Absolute paths (resolved against the job's cwd, links not followed yet), in argv order. */
  files: { path: string; from: string }[];
  /** Outputs the argv does not name, each with why. */
  unknown: { what: string; reason: string }[];
}

const ADD = "add it with --include=PATH";

export function jobOutputs(command: readonly string[], cwd: string): JobOutputs {
  const out: JobOutputs = { files: [], unknown: [] };
  const add = (path: string, from: string) => {
    const abs = resolve(cwd, path);
    if (!out.files.some((f) => f.path === abs)) out.files.push({ path: abs, from });
  };
  const tool = command[0];
  if (tool === "ffmpeg") {
    for (const o of parseFfmpegArgs(command.slice(1)).outputs) {
      if (isFileOutput(o)) add(o.url.replace(/^file:/, ""), "ffmpeg output");
      else if (o.url !== "-" && o.format !== "null" && !/^(pipe|fd):/.test(o.url)) {
        out.unknown.push({
          what: o.url,
          reason: `ffmpeg writes this as more than one file or to a URL; ${ADD}`,
        });
      }
    }
  } else if (tool === "curl") {
    let args;
    try {
      args = parseCurlArgs(command);
    } catch {
      out.unknown.push({ what: "curl", reason: `barn could not read the curl argv; ${ADD}` });
      return out;
    }
    const dirs = new Map<number, string>();
    for (const t of args.tokens) if (t.name === "output-dir" && t.value) dirs.set(t.group, t.value);
    for (const t of args.tokens) {
      if (t.name === "output" && t.value !== null && t.value !== "-") {
        if (/#\d/.test(t.value)) {
          out.unknown.push({
            what: t.value,
            reason: `curl fills in #N from its URL globs; ${ADD}`,
          });
          continue;
        }
        const dir = dirs.get(t.group);
        add(dir !== undefined && !isAbsolute(t.value) ? join(dir, t.value) : t.value, "curl -o");
      } else if (
        !t.negated &&
        (t.name === "remote-name" || t.name === "remote-name-all" ||
          t.name === "remote-header-name")
      ) {
        out.unknown.push({
          what: `curl --${t.name}`,
          reason: `curl names this file after the URL or the server's answer; ${ADD}`,
        });
      }
    }
  } else if (isTransfer(command) && command[1] === "get") {
    add(command[command.length - 1]!, "barn get");
  }
  return out;
}
