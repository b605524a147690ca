import { assertEquals } from "../../helpers/assert.ts";
import { parseConfig } from "../../../src/config/config.ts";
import { groupLimit } from "../../../src/service/scheduler.ts";

Deno.test("groupLimit: a group's own limit; a group gone from config has the default group's", () => {
  const c = parseConfig('{"groups": {"transcode": 1, "default": 3, "constructor": 2}}');
  assertEquals(groupLimit(c, "transcode"), 1);
  assertEquals(groupLimit(c, "probe"), 8);
  assertEquals(groupLimit(c, "gpu"), 3);
  assertEquals(groupLimit(c, "constructor"), 2);
  // Names of Object.prototype are no groups of config's.
  assertEquals(groupLimit(c, "toString"), 3);
  assertEquals(groupLimit(parseConfig('{"max_parallel": 5}'), "gpu"), 5);
});
