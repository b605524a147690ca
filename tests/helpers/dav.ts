/** A real WebDAV server (rclone serve webdav) on loopback, and a counting, throttling TCP proxy. */

import { waitFor } from "./barn.ts";

export interface Dav {
  url: string;
  root: string;
  log: string;
  stop(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts rclone with the password in RCLONE_PASS, so its own command line doesn't show it. */
export async function startDav(
  root: string,
  user: string,
  password: string,
  opts: { tls?: { cert: string; key: string } } = {},
): Promise<Dav> {
  Deno.mkdirSync(root, { recursive: true });
  const port = freePort();
  const log = `${root}.rclone.log`;
  const child = new Deno.Command("rclone", {
    args: [
      "serve",
      "webdav",
      root,
      "--addr",
      `127.0.0.1:${port}`,
      "--user",
      user,
      "--dir-cache-time",
      "0s",
      "--log-file",
      log,
      "-v",
      ...(opts.tls ? ["--cert", opts.tls.cert, "--key", opts.tls.key] : []),
    ],
    env: { RCLONE_PASS: password },
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitFor(async () => {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return true;
    } catch {
      return false;
    }
  }, { what: "rclone to listen" });
  return {
    url: `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`,
    root,
    log,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      try {
        Deno.removeSync(log);
      } catch { /* gone */ }
    },
  };
}

export interface Proxy {
  url: string;
  /** Bytes sent from the server to clients since the last reset. */
  downBytes(): number;
  reset(): void;
  stop(): Promise<void>;
}

/** Forwards TCP to `target`, counting server→client bytes, at most `bytesPerSec`. */
export function startProxy(targetUrl: string, bytesPerSec: number): Proxy {
  const target = new URL(targetUrl);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let down = 0;
  const conns = new Set<Deno.Conn>();
  const serve = async (client: Deno.Conn) => {
    const server = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
    conns.add(client);
    conns.add(server);
    const up = (async () => {
      try {
        for await (const chunk of client.readable.values({ preventCancel: true })) {
          await server.write(chunk);
        }
      } catch { /* closed */ }
    })();
    try {
      const start = Date.now();
      let sent = 0;
      for await (const chunk of server.readable.values({ preventCancel: true })) {
        for (let off = 0; off < chunk.length; off += 16384) {
          const part = chunk.subarray(off, off + 16384);
          let w = 0;
          while (w < part.length) w += await client.write(part.subarray(w));
          sent += part.length;
          down += part.length;
          const ahead = sent / bytesPerSec * 1000 - (Date.now() - start);
          if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
        }
      }
    } catch { /* closed */ }
    for (const c of [client, server]) {
      try {
        c.close();
      } catch { /* closed */ }
      conns.delete(c);
    }
    await up;
  };
  (async () => {
    try {
      for await (const c of listener) serve(c);
    } catch { /* closed */ }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    downBytes: () => down,
    reset: () => (down = 0),
    async stop() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}

export async function sha256(path: string): Promise<string> {
  const data = await Deno.readFile(path);
  return Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", data)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

export interface Gate {
  url: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Lets the servers' answers through, from now on and for what was held. */
  open(): void;
  stop(): Promise<void>;
}

/**
 * Forwards TCP to `targetUrl` but holds every answer until open(): clients connect, send their
 * request and wait, so their jobs stay running for as long as a test needs to look at them.
 */
export function startGate(targetUrl: string): Gate {
  const target = new URL(targetUrl);
  const port = Number(target.port || (target.protocol === "https:" ? 443 : 80));
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  let accepted = 0;
  const conns = new Set<Deno.Conn>();
  const pipe = async (from: Deno.Conn, to: Deno.Conn, wait: Promise<void> | null) => {
    try {
      for await (const chunk of from.readable.values({ preventCancel: true })) {
        if (wait) await wait;
        let w = 0;
        while (w < chunk.length) w += await to.write(chunk.subarray(w));
      }
    } catch { /* closed */ }
    await to.closeWrite().catch(() => {/* closed */});
  };
  const serve = async (client: Deno.Conn) => {
    accepted++;
    const server = await Deno.connect({ hostname: target.hostname, port });
    conns.add(client);
    conns.add(server);
    await Promise.all([pipe(client, server, null), pipe(server, client, opened)]);
    for (const c of [client, server]) {
      try {
        c.close();
      } catch { /* closed */ }
      conns.delete(c);
    }
  };
  (async () => {
    try {
      for await (const c of listener) serve(c).catch(() => {});
    } catch { /* closed */ }
  })();
  const gatePort = (listener.addr as Deno.NetAddr).port;
  return {
    url: `${target.protocol}//127.0.0.1:${gatePort}`,
    port: gatePort,
    connections: () => accepted,
    open: () => release(),
    async stop() {
      release();
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}
