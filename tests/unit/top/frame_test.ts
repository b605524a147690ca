import { assert, assertEquals } from "../../helpers/assert.ts";
import { ENTER, frameDiff, LEAVE } from "../../../src/top/frame.ts";

Deno.test("frameDiff: a first frame clears and draws every line", () => {
  assertEquals(
    frameDiff(null, ["a", "b"]),
    "\x1b[H\x1b[2J\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1Hb\x1b[0m\x1b[K",
  );
});

Deno.test("frameDiff: later frames rewrite only the lines that changed", () => {
  assertEquals(frameDiff(["a", "b", "c"], ["a", "B", "c"]), "\x1b[2;1HB\x1b[0m\x1b[K");
  assertEquals(frameDiff(["a"], ["a"]), "");
});

Deno.test("frameDiff: a resize (another line count) redraws everything", () => {
  assert(frameDiff(["a"], ["a", "b"]).startsWith("\x1b[H\x1b[2J"));
});

Deno.test("LEAVE undoes each mode ENTER sets", () => {
  for (const mode of ["?1049", "?25", "?7"]) {
    assert(ENTER.includes(`\x1b[${mode}`) && LEAVE.includes(`\x1b[${mode}`), mode);
  }
});
