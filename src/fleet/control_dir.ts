/** ssh's control sockets live in one fixed, private directory, checked like /tmp/barn (the only place barn-fleet may write). */

import { ensurePrivateDir } from "../platform/home_layout.ts";

/** The fixed root: a compiled binary's permission set names it, so it cannot move per user. */
export const CONTROL_DIR = "/tmp/barn-fleet";

/**
 * Creates the control dir (0700) and refuses it unless it is a private directory of ours
 * (E_UNSAFE_HOME), since anyone who can reach a ControlPath socket can use its connection.
 * Windows' OpenSSH has no multiplexing: there is no directory, and null says so.
 */
export function prepareControlDir(): string | null {
  if (Deno.build.os === "windows") return null;
  ensurePrivateDir(CONTROL_DIR);
  return CONTROL_DIR;
}
