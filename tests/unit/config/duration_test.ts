import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { formatDuration, parseDuration } from "../../../src/config/duration.ts";
import { BarnError } from "../../../src/errors.ts";

Deno.test("durations parse units and combinations", () => {
  assertEquals(parseDuration("90"), 90);
  assertEquals(parseDuration("7d"), 7 * 86400);
  assertEquals(parseDuration("1h30m"), 5400);
  assertEquals(parseDuration("250ms"), 0.25);
  for (const bad of ["", "abc", "5x", "1h 30m", "-1s"]) {
    assertThrows(() => parseDuration(bad), BarnError);
  }
});

Deno.test("durations format back briefly", () => {
  assertEquals(formatDuration(5), "5s");
  assertEquals(formatDuration(3700), "1h1m");
  assertEquals(formatDuration(90000), "1d1h");
});
