/** Making a directory that may already exist, then seeing what is really there, link or not. */

/**
 * Creates `path` (with `mode`, when given) unless something is there already, and returns what is
 * there now by lstat: the caller checks it, since a link or file may have been planted meanwhile.
 */
export function makeDir(path: string, mode?: number): Deno.FileInfo {
  try {
    Deno.mkdirSync(path, mode === undefined ? {} : { mode });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  return Deno.lstatSync(path);
}
