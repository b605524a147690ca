/** What an ssh exit means (pure): the fleet's codes from ssh's exit status and its stderr, when no frame came back. */

import { BarnError } from "../errors.ts";
import { escapeText } from "../escape.ts";

export interface SshExit {
  host: string;
  /** ssh's exit status (null when it was killed). */
  code: number | null;
  stderr: string;
  /** Whether the host had answered the handshake before the end. */
  answered: boolean;
}

const AUTH = new RegExp(
  [
    "Permission denied",
    "Too many authentication failures",
    "Host key verification failed",
    "REMOTE HOST IDENTIFICATION HAS CHANGED",
    "No [A-Z0-9-]+ host key is known",
    "no matching host key type",
    "Authentication failed",
    "authentication methods",
  ].join("|"),
);

/** The last lines of stderr, bounded and escaped: the host controls part of it. */
export function stderrTail(stderr: string, max = 300): string {
  const text = stderr.replace(/\r/g, "").trim().split("\n").filter((l) => l.trim()).slice(-3)
    .join("; ");
  return escapeText(text.length > max ? "…" + text.slice(-max) : text);
}

/** The error for an ssh that ended without a usable answer. */
export function classifySshExit(x: SshExit): BarnError {
  const said = stderrTail(x.stderr);
  const tail = said ? `: ${said}` : "";
  if (x.code === 255 && !x.answered) {
    if (AUTH.test(x.stderr)) {
      return new BarnError(
        "E_SSH_AUTH",
        `${x.host} refused the ssh login${tail} (check the key, the user and known_hosts with \`ssh ${x.host}\`)`,
      );
    }
    return new BarnError(
      "E_SSH_UNREACHABLE",
      `cannot reach ${x.host} over ssh${tail} (check the name, the network and \`ssh ${x.host}\`)`,
    );
  }
  if (x.code === 255) {
    return new BarnError("E_SSH_UNREACHABLE", `the ssh connection to ${x.host} was lost${tail}`);
  }
  if (!x.answered) {
    if (/unknown command 'dial-stdio'/.test(x.stderr)) {
      return new BarnError(
        "E_VERSION",
        `the barn on ${x.host} is too old for barn-fleet (it has no dial-stdio): deploy this version with \`barn-fleet deploy\``,
      );
    }
    if (
      x.code === 127 || x.code === 126 ||
      /command not found|No such file or directory/.test(x.stderr)
    ) {
      return new BarnError(
        "E_BARN_MISSING",
        `no barn on ${x.host}${tail} (install it, or give its path: barn=PATH in the inventory, or --barn=PATH)`,
      );
    }
    return new BarnError(
      "E_PROTOCOL",
      `barn on ${x.host} ended (exit ${x.code ?? "signal"}) before answering${tail}`,
    );
  }
  return new BarnError(
    "E_NO_SERVICE",
    `the barn service on ${x.host} closed the connection${tail} (see \`barn service logs\` there)`,
  );
}
