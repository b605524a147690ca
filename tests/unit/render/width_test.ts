import { assertEquals } from "../../helpers/assert.ts";
import { clip, padTo, textWidth } from "../../../src/render/width.ts";

Deno.test("textWidth: wide CJK and emoji take two columns, combining marks none", () => {
  assertEquals(textWidth("abc"), 3);
  assertEquals(textWidth("日本"), 4);
  assertEquals(textWidth("🎬x"), 3);
  assertEquals(textWidth("e\u0301"), 1);
});

Deno.test("clip: cuts by columns with an ellipsis, never inside a wide character", () => {
  assertEquals(clip("abcdef", 6), "abcdef");
  assertEquals(clip("abcdef", 4), "abc…");
  assertEquals(clip("日本語", 4), "日…");
  assertEquals(textWidth(clip("日本語x", 5)), 5);
  assertEquals(clip("abc", 0), "");
  assertEquals(clip("abc", 1), "…");
});

Deno.test("padTo pads by columns", () => {
  assertEquals(padTo("日", 4), "日  ");
  assertEquals(padTo("abcdef", 3), "abcdef");
});
