import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { FrameReader, writeFrame } from "../../../src/protocol/framing.ts";
import { KeeperClient } from "../../../src/supervisor/keeper_client.ts";
import { KEEPER_PROTOCOL, keeperFiles } from "../../../src/supervisor/keeper_protocol.ts";

Deno.test("keeper client: a link that ends while a request is still being written rejects that request, and nothing else", async () => {
  const home = Deno.makeTempDirSync({ prefix: "barn-keeper-client-" });
  const listener = Deno.listen({ transport: "unix", path: `${home}/${keeperFiles().socket}` });
  // The keeper answers the handshake, then reads nothing more: the next big request fills the
  // socket's buffer and its write waits. Then the keeper sends what no keeper sends.
  const keeper = (async () => {
    const conn = await listener.accept();
    const reader = new FrameReader(conn);
    for (let i = 0; i < 2; i++) {
      const msg = await reader.next() as { id: number; kind: string };
      await writeFrame(conn, { reply_to: msg.id, ok: true, protocol: KEEPER_PROTOCOL, pid: 1 });
    }
    return conn;
  })();
  let closedWhy = "";
  const client = await KeeperClient.connect(home, {
    onEvent: () => {},
    onClose: (why) => (closedWhy = why),
  });
  const conn = await keeper;
  // Under the frame cap, far over a unix socket's buffer.
  const request = client.request({ kind: "start", job_id: "x".repeat(4 * 1024 * 1024) });
  const outcome = request.then(() => "answered", (e) => e);
  // The link ends (here: a malformed message) while the write still waits. Its reply, rejected
  // before anyone awaits it, must not be an unhandled rejection: that ends the whole process,
  // which is how a service died when the chaos suite killed a keeper just after starting it.
  await writeFrame(conn, { not: "a keeper message" });
  const e = await outcome;
  assertEquals(e instanceof BarnError && e.code, "E_SPAWN");
  assertMatch((e as Error).message, /the job keeper went away/);
  assertEquals(client.closed, true);
  assertMatch(closedWhy, /malformed/);
  conn.close();
  listener.close();
  Deno.removeSync(home, { recursive: true });
});
