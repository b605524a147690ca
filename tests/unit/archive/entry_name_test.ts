import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { entryParts } from "../../../src/archive/entry_name.ts";

Deno.test("entryParts: relative names split into components, . and empty ones dropped", () => {
  assertEquals(entryParts("a/b/c.mp4", "x"), ["a", "b", "c.mp4"]);
  assertEquals(entryParts("./a//b/", "x"), ["a", "b"]);
  assertEquals(entryParts("./", "x"), []);
  assertEquals(entryParts("a..b/..c", "x"), ["a..b", "..c"]);
});

Deno.test("entryParts: names that could leave input/ are E_SANDBOX", () => {
  for (
    const bad of ["/etc/passwd", "../x", "a/../../x", "a/..", "..", "a\\..\\b", "C:/x", "a\0b"]
  ) {
    const e = assertThrows(() => entryParts(bad, "tar entry"), BarnError);
    assertEquals(e.code, "E_SANDBOX", bad);
  }
});

Deno.test("entryParts: a component over 255 bytes is E_USAGE before any file is made", () => {
  assertEquals(entryParts(`a/${"n".repeat(255)}`, "x").length, 2);
  for (const bad of [`a/${"n".repeat(256)}`, "é".repeat(128)]) {
    const e = assertThrows(() => entryParts(bad, "tar entry"), BarnError);
    assertEquals(e.code, "E_USAGE", bad);
  }
});
