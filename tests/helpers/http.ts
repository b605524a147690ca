/** A loopback HTTP server for curl jobs: delayed answers with a chosen status, big bodies, silence. */

export interface TestServer {
  url: string;
  silentPort: number;
  close(): Promise<void>;
}

export function startHttp(): TestServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const u = new URL(req.url);
    const [, kind, a, b] = u.pathname.split("/");
    if (kind === "delay") {
      await new Promise((r) => setTimeout(r, Number(a)));
      return new Response(`status ${b}\n`, { status: Number(b ?? 200) });
    }
    if (kind === "big") {
      const total = Number(a);
      let left = total;
      const chunk = new TextEncoder().encode("0123456789abcde\n".repeat(4096));
      return new Response(
        new ReadableStream({
          pull(c) {
            if (left <= 0) return c.close();
            const n = Math.min(left, chunk.length);
            c.enqueue(chunk.subarray(0, n));
            left -= n;
          },
        }),
        { headers: { "content-length": String(total) } },
      );
    }
    return new Response("ok\n");
  });
  // A listener that accepts and never answers, for curl's timeout (exit 28).
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const c of silent) held.push(c);
    } catch { /* closed */ }
  })();
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    silentPort: (silent.addr as Deno.NetAddr).port,
    async close() {
      silent.close();
      for (const c of held) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await server.shutdown();
    },
  };
}
