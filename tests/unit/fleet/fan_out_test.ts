import { assertEquals } from "../../helpers/assert.ts";
import { fanOut } from "../../../src/fleet/fan_out.ts";
import { BarnError } from "../../../src/errors.ts";

Deno.test("fan-out: results in item order, each host on its own, never more than the limit at once", async () => {
  let running = 0;
  let peak = 0;
  const items = ["a", "b", "c", "d", "e"];
  const results = await fanOut(
    items,
    (x) => x,
    { concurrency: 2, timeoutSeconds: null },
    async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x === "a" ? 30 : 5));
      running--;
      if (x === "c") throw new BarnError("E_SSH_AUTH", "c refused");
      return { n: x.charCodeAt(0) };
    },
  );
  assertEquals(peak, 2);
  assertEquals(results.map((r) => r.host), items);
  assertEquals(results[2], {
    host: "c",
    ok: false,
    error: { code: "E_SSH_AUTH", message: "c refused" },
  });
  assertEquals(results[0], { host: "a", ok: true, n: 97 });
});

Deno.test("fan-out: a host past its deadline gets E_TIMEOUT and its work is told to stop", async () => {
  let aborted: unknown = null;
  const results = await fanOut(
    ["slow", "fast"],
    (x) => x,
    { concurrency: 2, timeoutSeconds: 0.05 },
    (x, signal) =>
      new Promise<{ ok2: boolean }>((resolve, reject) => {
        if (x === "fast") return resolve({ ok2: true });
        signal.addEventListener("abort", () => {
          aborted = signal.reason;
          reject(new Error("killed"));
        });
      }),
  );
  assertEquals(results[0]!.ok ? "" : results[0]!.error.code, "E_TIMEOUT");
  assertEquals(results[1], { host: "fast", ok: true, ok2: true });
  assertEquals((aborted as BarnError).code, "E_TIMEOUT");
});
