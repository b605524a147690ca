import { assertEquals } from "../../helpers/assert.ts";
import { leastLoaded } from "../../../src/fleet/pick_host.ts";
import type { ServiceStatus } from "../../../src/protocol/messages.ts";

function up(queued: number, running: number): { status: ServiceStatus } {
  return {
    status: {
      state: "up",
      pid: 1,
      uptime_seconds: 1,
      version: "x",
      home: "/tmp/barn",
      endpoint: "/tmp/barn/barn.sock",
      started_at: null,
      max_parallel: 2,
      jobs: { queued, running, succeeded: 9, failed: 9, canceled: 9 },
      store: null,
      keeper: { state: "up", pid: 2, jobs: running },
      watchers: [],
    },
  };
}

Deno.test("--on=any: fewest queued + running wins, ties go to the first; hosts that did not answer never win", () => {
  assertEquals(
    leastLoaded([
      { host: "a", ok: true, ...up(2, 2) },
      { host: "b", ok: false, error: { code: "E_SSH_UNREACHABLE", message: "x" } },
      { host: "c", ok: true, ...up(0, 3) },
      { host: "d", ok: true, ...up(3, 0) },
    ]),
    { host: "c", queued: 0, running: 3 },
  );
  assertEquals(
    leastLoaded([{ host: "b", ok: false, error: { code: "E_TIMEOUT", message: "x" } }]),
    null,
  );
});
