import { assertEquals } from "../../helpers/assert.ts";
import { DEFAULT_GROUP_OF, defaultGroupLimits, groupOf } from "../../../src/jobs/groups.ts";

Deno.test("groups: a command's default group, barn's transfers by verb, others in default", () => {
  assertEquals(groupOf(["ffmpeg", "-i", "x"]), "transcode");
  assertEquals(groupOf(["ffprobe", "x"]), "probe");
  assertEquals(groupOf(["curl", "-O", "x"]), "transfer");
  assertEquals(groupOf(["barn", "get", "u", "p"]), "transfer");
  assertEquals(groupOf(["barn", "put", "p", "u"]), "transfer");
  assertEquals(groupOf(["python3", "x"]), "default");
  assertEquals(groupOf(["barn", "transfer"]), "default");
  // Keys of Object.prototype are no commands.
  assertEquals(groupOf(["constructor"]), "default");
  assertEquals(groupOf(["curl"], { ...DEFAULT_GROUP_OF, curl: "probe" }), "probe");
  assertEquals(defaultGroupLimits(6), { transcode: 6, probe: 8, transfer: 4, default: 6 });
});
