/** POSIX: the sandbox root is /tmp/barn, and every directory on the way to BARN_HOME must be ours alone. */

import { BarnError } from "../errors.ts";
import { makeDir } from "./make_dir.ts";

export function sandboxRoot(): string {
  return "/tmp/barn";
}

function unsafe(path: string, why: string, fix: string): BarnError {
  return new BarnError(
    "E_UNSAFE_HOME",
    `refusing to use ${path}: ${why}. ${fix} (see docs/security.md)`,
  );
}

/** Creates `path` (mode 0700) if missing, then refuses it unless it is a private directory of ours. */
export function ensurePrivateDir(path: string): void {
  const st = makeDir(path, 0o700);
  if (st.isSymlink) {
    throw unsafe(
      path,
      "it is a symlink",
      `Remove it (rm ${path}) and let barn create a real directory`,
    );
  }
  if (!st.isDirectory) {
    throw unsafe(path, "it is not a directory", `Move it away (mv ${path} ${path}.old)`);
  }
  const uid = Deno.uid();
  if (uid !== null && st.uid !== uid) {
    throw unsafe(
      path,
      `it is owned by uid ${st.uid}, not by you (uid ${uid})`,
      "Another user may have planted it: remove it as root, or pick another BARN_HOME below /tmp/barn",
    );
  }
  if (st.mode !== null && (st.mode & 0o077) !== 0) {
    throw unsafe(
      path,
      `it is open to group or others (mode ${(st.mode & 0o777).toString(8)})`,
      `Run \`chmod 700 ${path}\``,
    );
  }
}
