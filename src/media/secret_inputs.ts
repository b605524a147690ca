/**
 * A job may not name barn's secrets (any home's jobs/<id>/secrets/ and credentials.json) as a
 * file: whatever a job reads, it can send anywhere. Checked at submission, after realPath, on the
 * words of the argv that can name files (what each tool reads is media knowledge).
 */

import { BarnError } from "../errors.ts";
import { insideSandbox } from "../platform/home_layout.ts";
import { resolve } from "../platform/path.ts";
import { existingInside, isSecretPath } from "../platform/sandbox_path.ts";
import { isTransfer } from "../jobs/policy.ts";
import { ffmpegFileArgs } from "./ffmpeg_args.ts";
import { curlFileArgs, MAX_GLOB } from "./curl_files.ts";

/** The words of a job's argv that may name local files, by tool; null when curl's glob is too large (pure). */
export function jobFileArgs(command: readonly string[]): string[] | null {
  const [tool, ...args] = command;
  if (tool === "ffmpeg" || tool === "ffprobe") return ffmpegFileArgs(args);
  if (tool === "curl") return curlFileArgs(args);
  if (isTransfer(command)) return args.slice(1).filter((a) => !/^(-|https?:)/i.test(a));
  return [];
}

/**
 * Refuses (E_SANDBOX) a list of file arguments when one leads to a secret. `leadsTo` says where an
 * existing path inside the sandbox really is (realPath), or null.
 */
export function refuseSecretPaths(
  tool: string,
  paths: readonly string[],
  cwd: string,
  leadsTo: (abs: string) => string | null = existingInside,
  seen: Map<string, string | null> = new Map(),
): void {
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!insideSandbox(abs)) continue; // barn cannot look there; docs/security.md says so
    let real = seen.get(abs);
    if (real === undefined) seen.set(abs, real = isSecretPath(abs) ? abs : leadsTo(abs));
    if (real !== null && isSecretPath(real)) {
      throw new BarnError(
        "E_SANDBOX",
        `${tool} may not use ${p}${real !== abs ? ` (a link to ${real})` : ""}: it is one of ` +
          "barn's secrets (jobs/<id>/secrets/, credentials.json), which no job may name " +
          "(see docs/security.md)",
      );
    }
  }
}

/**
 * Refuses a job whose argv names one of barn's secrets as a file (E_SANDBOX). `seen` remembers
 * where each path leads, so the jobs of one submission look each one up once.
 */
export function refuseSecretInputs(
  command: readonly string[],
  cwd: string,
  seen: Map<string, string | null> = new Map(),
  leadsTo: (abs: string) => string | null = existingInside,
): void {
  const paths = jobFileArgs(command);
  if (paths === null) {
    throw new BarnError(
      "E_SANDBOX",
      `a curl file glob expands to more than ${MAX_GLOB} names, too many for barn to check ` +
        "against its secrets: name fewer files, or turn globbing off with -g (see docs/security.md)",
    );
  }
  refuseSecretPaths(command[0] ?? "", paths, cwd, leadsTo, seen);
}
