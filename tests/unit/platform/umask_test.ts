import { assertEquals } from "../../helpers/assert.ts";
import { clearWorldWrite } from "../../../src/platform/umask.ts";

Deno.test("the umask gains 002 and keeps whatever else it had", () => {
  const saved = Deno.umask();
  try {
    const after = (start: number) => {
      Deno.umask(start);
      clearWorldWrite();
      return Deno.umask().toString(8);
    };
    assertEquals([after(0o000), after(0o022), after(0o027), after(0o077)], ["2", "22", "27", "77"]);
  } finally {
    Deno.umask(saved);
  }
});
