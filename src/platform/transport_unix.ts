/** Linux/macOS transport: a Unix socket inside the 0700 BARN_HOME, itself chmod 0600. */

import { join } from "./path.ts";

export interface Listener extends AsyncIterable<Deno.Conn> {
  accept(): Promise<Deno.Conn>;
  close(): void;
  /** Where clients connect, for status output. */
  endpoint: string;
}

export function listen(home: string, socketName: string): Listener {
  const path = join(home, socketName);
  try {
    Deno.removeSync(path); // a stale socket from a dead service; the service lock proves it is dead
  } catch { /* none */ }
  const l = Deno.listen({ transport: "unix", path });
  Deno.chmodSync(path, 0o600);
  return Object.assign(l, { endpoint: path }) as unknown as Listener;
}

/** Connects to the service; the token is unused on Unix (the socket's directory is the guard). */
export async function connect(
  home: string,
  socketName: string,
): Promise<{ conn: Deno.Conn; token: string | null }> {
  const conn = await Deno.connect({ transport: "unix", path: join(home, socketName) });
  return { conn, token: null };
}

export function endpointOf(home: string, socketName: string): string {
  return join(home, socketName);
}

/** Unix sockets need no token: the 0700 directory already admits only the owner. */
export function checkToken(_home: string, _given: string | null): boolean {
  return true;
}
