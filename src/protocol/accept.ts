/** An accept loop that survives EMFILE and other transient accept errors. */

export async function acceptLoop(
  listener: { accept(): Promise<Deno.Conn> },
  onConn: (conn: Deno.Conn) => void,
  log: (msg: string) => void,
): Promise<void> {
  let backoff = 10;
  for (;;) {
    let conn: Deno.Conn;
    try {
      conn = await listener.accept();
    } catch (e) {
      if (e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) return;
      // Out of file descriptors and the like: wait, then keep serving.
      log(`accept failed (${(e as Error).message}); retrying in ${backoff} ms`);
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 1000);
      continue;
    }
    backoff = 10;
    onConn(conn);
  }
}
