/** The process umask keeps at least 002, so jobs and barn's own files never come out world-writable. */

/** Adds 002 to the umask this process (and every child it starts from now on) runs with. */
export function clearWorldWrite(): void {
  if (Deno.build.os === "windows") return; // no umask on Windows: ACLs decide
  // Setting a strict mask first leaves no moment with a looser one.
  const old = Deno.umask(0o077);
  Deno.umask(old | 0o002);
}
