/** A fixed barn command on a host (`ssh HOST barn hostinfo --output=json`): for what needs no service; stdout is untrusted JSON. */

import { BarnError } from "../errors.ts";
import { escapeText } from "../escape.ts";
import type { Host } from "./inventory.ts";
import { runSsh } from "./ssh.ts";
import { sshArgs, type SshSettings } from "./ssh_args.ts";
import { classifySshExit } from "./ssh_errors.ts";
import { parseJson } from "../json.ts";

/** Runs `remote` (fixed words: a validated path and barn's verbs) and parses its JSON output. */
export async function remoteJson(
  host: Host,
  settings: SshSettings,
  remote: readonly string[],
  signal: AbortSignal,
): Promise<unknown> {
  const out = await runSsh("ssh", sshArgs(settings, host, remote), signal);
  if (signal.aborted) throw signal.reason;
  let parsed: unknown = undefined;
  try {
    parsed = parseJson(out.stdout);
  } catch { /* not JSON: the exit status says why */ }
  if (out.code === 0 && parsed !== undefined) return parsed;
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (
    typeof error?.code === "string" && /^E_[A-Z0-9_]{1,60}$/.test(error.code) &&
    typeof error.message === "string"
  ) {
    // barn itself answered with an error of its own.
    throw new BarnError(
      error.code as "E_INTERNAL",
      `${host.name}: ${escapeText(error.message.slice(0, 4096))}`,
    );
  }
  if (out.code === 0) {
    throw new BarnError("E_PROTOCOL", `${host.name}: \`${remote.join(" ")}\` printed no JSON`);
  }
  throw classifySshExit({ host: host.name, code: out.code, stderr: out.stderr, answered: false });
}
