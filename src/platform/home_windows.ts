/** Windows: the sandbox root is the system temp dir + \barn, shared by the service and its clients. */

import { BarnError } from "../errors.ts";

/** Read lazily: only a Windows build may ask for SystemRoot. Must match the compiled sandbox. */
export function sandboxRoot(): string {
  return `${Deno.env.get("SystemRoot") ?? "C:\\Windows"}\\Temp\\barn`;
}

/** Creates `path` if missing and refuses anything but a real directory. Untested: no Windows machine. */
export function ensurePrivateDir(path: string): void {
  try {
    Deno.mkdirSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const st = Deno.lstatSync(path);
  if (st.isSymlink || !st.isDirectory) {
    throw new BarnError(
      "E_UNSAFE_HOME",
      `refusing to use ${path}: it is not a real directory. Move it away (see docs/security.md)`,
    );
  }
}
