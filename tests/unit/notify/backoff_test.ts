import { assertEquals } from "../../helpers/assert.ts";
import { MAX_BACKOFF_SECONDS, nextAttemptAt } from "../../../src/notify/backoff.ts";

const created = "2026-01-01T00:00:00.000Z";
const at = (s: number) => new Date(Date.parse(created) + s * 1000);

Deno.test("nextAttemptAt: doubles from the base, capped", () => {
  assertEquals(nextAttemptAt(1, 2, 86400, created, at(0)), at(2).toISOString());
  assertEquals(nextAttemptAt(2, 2, 86400, created, at(10)), at(14).toISOString());
  assertEquals(nextAttemptAt(4, 2, 86400, created, at(100)), at(116).toISOString());
  assertEquals(
    nextAttemptAt(30, 2, 86400, created, at(100)),
    at(100 + MAX_BACKOFF_SECONDS).toISOString(),
  );
});

Deno.test("nextAttemptAt: null once the next try would fall past retry_for", () => {
  assertEquals(nextAttemptAt(1, 1, 60, created, at(58)), at(59).toISOString());
  assertEquals(nextAttemptAt(1, 1, 60, created, at(60)), null);
  assertEquals(nextAttemptAt(3, 10, 60, created, at(30)), null);
});
