import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { parseJobUri } from "../../../src/mcp/resources.ts";

Deno.test("parseJobUri: records, logs, and what is not barn's", () => {
  assertEquals(parseJobUri("barn://jobs/k3f9x2a0b1c2"), { id: "k3f9x2a0b1c2", part: "record" });
  assertEquals(parseJobUri("barn://jobs/k3f9/log"), { id: "k3f9", part: "log" });
  assertEquals(parseJobUri("barn://jobs/k3f9/log/x"), null);
  assertEquals(parseJobUri("file:///etc/passwd"), null);
  assertEquals(parseJobUri("barn://jobs/../x"), null);
  assertThrows(() => parseJobUri("barn://jobs/k3f"), BarnError);
});
