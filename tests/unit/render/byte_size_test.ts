import { assertEquals } from "../../helpers/assert.ts";
import { byteSize } from "../../../src/render/byte_size.ts";

Deno.test("byteSize: decimal or binary units, one decimal past bytes", () => {
  assertEquals(byteSize(999, 1000), "999 B");
  assertEquals(byteSize(1500, 1000), "1.5 KB");
  assertEquals(byteSize(1500, 1024), "1.5 KiB");
  assertEquals(byteSize(5 * 1024 ** 3, 1024), "5.0 GiB");
  assertEquals(byteSize(3e15, 1000), "3000.0 TB");
});
