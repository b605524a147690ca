import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { HomeWatch } from "../../../src/platform/home_watch.ts";
import { tempHome } from "../../helpers/barn.ts";

Deno.test("home watch: a deleted or recreated path is noticed, an untouched one is not", async () => {
  const dir = tempHome("hw");
  const file = `${dir}/barn.db`;
  Deno.writeTextFileSync(file, "x");
  const seen: string[] = [];
  const w = new HomeWatch([dir, file], (what) => seen.push(what), 10);
  try {
    assertEquals(w.changed(), null);
    Deno.writeTextFileSync(file, "rewritten in place"); // same inode: not a replacement
    assertEquals(w.changed(), null);
    Deno.removeSync(file);
    await new Promise((r) => setTimeout(r, 2)); // birth times have millisecond resolution
    Deno.writeTextFileSync(file, "a new file under the old name");
    assertMatch(w.changed()!, /barn\.db was replaced/);
    // The timer reports it once, then stops.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (seen.length > 0) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    // ...and stops: the path stays replaced, yet ten more periods bring no second report.
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(seen.length, 1);
    Deno.removeSync(dir, { recursive: true });
    assertMatch(w.changed()!, /was deleted/);
  } finally {
    w.stop();
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  }
});
