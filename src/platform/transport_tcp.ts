/** Windows transport: loopback TCP plus a random token in a 0600 file, compared in constant time. */

import { join } from "./path.ts";
import { readTextIfExists, writeFileAtomic } from "./files.ts";

export interface Listener extends AsyncIterable<Deno.Conn> {
  accept(): Promise<Deno.Conn>;
  close(): void;
  endpoint: string;
}

const TOKEN_FILE = "service.token";
const PORT_FILE = "service.port";

export function newToken(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

export function listen(home: string, _socketName: string): Listener {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" });
  const port = (l.addr as Deno.NetAddr).port;
  writeFileAtomic(join(home, TOKEN_FILE), newToken());
  writeFileAtomic(join(home, PORT_FILE), String(port));
  return Object.assign(l, { endpoint: `127.0.0.1:${port}` }) as unknown as Listener;
}

export async function connect(
  home: string,
  _socketName: string,
): Promise<{ conn: Deno.Conn; token: string | null }> {
  const port = Number(readTextIfExists(join(home, PORT_FILE)) ?? "NaN");
  if (!Number.isInteger(port)) throw new Deno.errors.ConnectionRefused("no service port file");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  return { conn, token: readTextIfExists(join(home, TOKEN_FILE)) };
}

export function endpointOf(home: string, _socketName: string): string {
  const port = readTextIfExists(join(home, PORT_FILE));
  return port ? `127.0.0.1:${port}` : "127.0.0.1 (port not yet chosen)";
}

/**
 * Compares without an early exit: every byte of both sides is read whatever differs, so
 * timing says nothing about the token. Strings are compared as their UTF-8 bytes.
 */
export function timingSafeEqual(
  a: string | ArrayLike<number>,
  b: string | ArrayLike<number>,
): boolean {
  const x = typeof a === "string" ? new TextEncoder().encode(a) : a;
  const y = typeof b === "string" ? new TextEncoder().encode(b) : b;
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export function checkToken(home: string, given: string | null): boolean {
  const want = readTextIfExists(join(home, TOKEN_FILE));
  return want !== null && given !== null && timingSafeEqual(want, given);
}
