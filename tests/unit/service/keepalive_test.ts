import { assertEquals } from "../../helpers/assert.ts";
import type { EncodedFrame, StreamFrame } from "../../../src/protocol/messages.ts";
import { Keepalive } from "../../../src/service/keepalive.ts";

Deno.test("keepalive: sent once the interval has passed with nothing else sent, built when sent", async () => {
  const sent: (StreamFrame | EncodedFrame)[] = [];
  const send = (f: StreamFrame | EncodedFrame) => {
    sent.push(f);
    return Promise.resolve();
  };
  let seq = 1;
  const never = new Keepalive(send, () => ({ ok: true, stream: "keepalive", seq }), 3_600_000);
  await never.due();
  assertEquals(sent, [], "within the interval: nothing");
  const always = new Keepalive(send, () => ({ ok: true, stream: "keepalive", seq }), 0);
  seq = 7;
  await always.due();
  assertEquals(sent, [{ ok: true, stream: "keepalive", seq: 7 }]);
});
