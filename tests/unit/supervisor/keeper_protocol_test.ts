import { assertEquals } from "../../helpers/assert.ts";
import {
  keeperFiles,
  parseKeeperMessage,
  parseKeeperRequest,
} from "../../../src/supervisor/keeper_protocol.ts";

Deno.test("keeper requests are checked: known kinds with ids, nothing else", () => {
  assertEquals(parseKeeperRequest({ kind: "start", id: 1, job_id: "abcd1234efgh" }), {
    kind: "start",
    id: 1,
    job_id: "abcd1234efgh",
  });
  const stop = {
    kind: "stop",
    id: 2,
    job_id: "x",
    reason: { code: "E_CANCELED", error: "k" },
  } as const;
  assertEquals(parseKeeperRequest(stop), stop);
  for (
    const bad of [
      { kind: "start", job_id: "x" }, // no id
      { kind: "list", id: 3 }, // gone
      { kind: "stop", id: 4, job_id: "x", reason: { code: "E_NOPE", error: "" } },
      { kind: "start", id: 5, job_id: "x", extra: true },
      "start",
      null,
    ]
  ) {
    assertEquals(typeof parseKeeperRequest(bad), "string", JSON.stringify(bad));
  }
});

Deno.test("keeper replies and events are checked before use", () => {
  assertEquals(parseKeeperMessage({ reply_to: 1, ok: true, pid: 9 }), {
    reply_to: 1,
    ok: true,
    pid: 9,
  });
  const err = { reply_to: 2, ok: false, error: { code: "E_BUSY", message: "closing" } } as const;
  assertEquals(parseKeeperMessage(err), err);
  const ev = { event: "exited", job_id: "abcd", state: "succeeded" } as const;
  assertEquals(parseKeeperMessage(ev), ev);
  for (
    const bad of [
      { ok: true }, // no reply_to
      { reply_to: 1, ok: "yes" },
      { reply_to: 1, ok: false }, // no error
      { event: "exited", job_id: "abcd", state: "exploded" },
      { event: "other", job_id: "abcd", state: "failed" },
    ]
  ) {
    assertEquals(typeof parseKeeperMessage(bad), "string", JSON.stringify(bad));
  }
});

Deno.test("keeper files carry the protocol version; version 1 keeps its old names", () => {
  assertEquals(keeperFiles(1), { socket: "keeper.sock", lock: "keeper.lock" });
  assertEquals(keeperFiles(2), { socket: "keeper-v2.sock", lock: "keeper-v2.lock" });
});
