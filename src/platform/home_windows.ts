/** Windows: the sandbox root is the system temp dir + \barn, shared by the service and its clients. */

import { BarnError } from "../errors.ts";
import { makeDir } from "./make_dir.ts";

/** Read lazily: only a Windows build may ask for SystemRoot. Must match the compiled sandbox. */
export function sandboxRoot(): string {
  return `${Deno.env.get("SystemRoot") ?? "C:\\Windows"}\\Temp\\barn`;
}

/** Creates `path` if missing and refuses anything but a real directory. Untested: no Windows machine. */
export function ensurePrivateDir(path: string): void {
  const st = makeDir(path);
  if (st.isSymlink || !st.isDirectory) {
    throw new BarnError(
      "E_UNSAFE_HOME",
      `refusing to use ${path}: it is not a real directory. Move it away (see docs/security.md)`,
    );
  }
}
