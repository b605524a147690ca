import { assertEquals } from "../../helpers/assert.ts";
import { decodeKeys } from "../../../src/top/keys.ts";

Deno.test("decodeKeys: arrows in both modes, paging, letters, enter, backspace, Ctrl-C", () => {
  assertEquals(decodeKeys("\x1b[A\x1bOB\x1b[5~\x1b[6~jK\r\x7f\x03"), [
    "up",
    "down",
    "pageup",
    "pagedown",
    { char: "j" },
    { char: "K" },
    "enter",
    "backspace",
    "ctrl-c",
  ]);
});

Deno.test("decodeKeys: a lone escape is Esc; unknown sequences and controls are dropped", () => {
  assertEquals(decodeKeys("\x1b"), ["escape"]);
  assertEquals(decodeKeys("\x1b[15~q"), [{ char: "q" }]);
  assertEquals(decodeKeys("\x1b[<0;3;4Mx\x01"), [{ char: "x" }]);
  assertEquals(decodeKeys("日"), [{ char: "日" }]);
});
