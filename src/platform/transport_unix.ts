/** Linux/macOS transport: a Unix socket inside the 0700 BARN_HOME, itself chmod 0600. */

import { join } from "./path.ts";
import { BarnError } from "../errors.ts";

export interface Listener extends AsyncIterable<Deno.Conn> {
  accept(): Promise<Deno.Conn>;
  close(): void;
  /** Where clients connect, for status output. */
  endpoint: string;
}

export function listen(home: string, socketName: string): Listener {
  const path = join(home, socketName);
  removeStaleSocket(path);
  const l = Deno.listen({ transport: "unix", path });
  Deno.chmodSync(path, 0o600);
  return Object.assign(l, { endpoint: path }) as unknown as Listener;
}

/**
 * Removes a stale socket left by a dead service (the caller's lock proves it is dead). Only a
 * socket is ever removed: anything else at that path is data, and the start is refused.
 */
export function removeStaleSocket(path: string): void {
  let st: Deno.FileInfo;
  try {
    st = Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (!st.isSocket) {
    throw new BarnError(
      "E_CONFIG",
      `${path} is in the way of barn's socket and is not a socket (it was left alone): ` +
        "move it, or set another socket_name in config.json",
    );
  }
  Deno.removeSync(path);
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
