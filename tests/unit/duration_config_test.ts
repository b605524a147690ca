import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { formatDuration, parseDuration } from "../../src/config/duration.ts";
import { defaultConfig, parseConfig } from "../../src/config/config.ts";
import { BarnError } from "../../src/errors.ts";

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

Deno.test("config: defaults, documented keys, and refusals naming the key", () => {
  assertEquals(parseConfig("{}"), defaultConfig());
  const c = parseConfig(
    '{"max_parallel": 3, "kill_grace": "2s", "max_age": "1d", "allowed_commands": ["ffprobe"]}',
  );
  assertEquals([c.max_parallel, c.kill_grace_seconds, c.max_age_seconds, c.allowed_commands], [
    3,
    2,
    86400,
    ["ffprobe"],
  ]);
  for (
    const [text, key] of [
      ['{"max_parallel": 0}', "max_parallel"],
      ['{"allowed_commands": ["sh"]}', "allowed_commands"],
      ['{"nope": 1}', "nope"],
      ['{"kill_grace": "soon"}', "kill_grace"],
      ['{"socket_name": "../x"}', "socket_name"],
    ]
  ) {
    const e = assertThrows(() => parseConfig(text!), BarnError);
    assertEquals(e.code, "E_CONFIG");
    assertEquals(e.message.includes(key!), true, e.message);
  }
  assertEquals(assertThrows(() => parseConfig("{not json"), BarnError).code, "E_CONFIG");
});
