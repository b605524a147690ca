import { assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { makeDir } from "../../../src/platform/make_dir.ts";

Deno.test("makeDir: makes a missing dir with its mode; else tells what is there, never through a link", async () => {
  const home = tempHome("mkdir");
  try {
    const made = makeDir(`${home}/a`, 0o700);
    assertEquals([made.isDirectory, made.mode! & 0o777], [true, 0o700]);
    assertEquals(makeDir(`${home}/a`).isDirectory, true, "an existing dir is no error");
    Deno.writeTextFileSync(`${home}/f`, "");
    assertEquals(makeDir(`${home}/f`).isFile, true);
    Deno.symlinkSync(`${home}/a`, `${home}/l`);
    assertEquals(makeDir(`${home}/l`).isSymlink, true);
  } finally {
    await cleanupHome(home);
  }
});
