import { assert, assertEquals } from "../../helpers/assert.ts";
import { postDelivery } from "../../../src/notify/deliver.ts";

Deno.test("postDelivery: a refused connection says so, not just 'fetch failed'", async () => {
  // A port that was just free: nothing listens on it now.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const out = await postDelivery(
    `http://127.0.0.1:${port}/hook`,
    "{}",
    {},
    new AbortController().signal,
  );
  assertEquals([out.ok, out.status], [false, null]);
  assert(/refused/i.test(out.error ?? ""), out.error ?? "no error");
});
