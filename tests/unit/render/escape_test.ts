import { assertEquals } from "../../helpers/assert.ts";
import { escapeStrings, escapeTerminal } from "../../../src/render/escape.ts";

Deno.test("escapeTerminal: controls, DEL, C1, bidi and line separators become visible escapes", () => {
  assertEquals(escapeTerminal("plain text, ünïcode ✓"), "plain text, ünïcode ✓");
  assertEquals(escapeTerminal("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  assertEquals(escapeTerminal("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  assertEquals(escapeTerminal("\x00\x7f\x9b"), "\\x00\\x7f\\x9b");
  assertEquals(
    escapeTerminal("\u202eevil\u2066x\u2069\u200f\u061c\u2028"),
    "\\u202eevil\\u2066x\\u2069\\u200f\\u061c\\u2028",
  );
  assertEquals(
    escapeTerminal("line 1\n\tline 2\x1b]0;t\x07", "\n\t"),
    "line 1\n\tline 2\\x1b]0;t\\x07",
  );
});

Deno.test("escapeStrings: every string of a record, keys included; other values untouched", () => {
  assertEquals(
    escapeStrings({ a: ["\x1b", 1, null, true], "k\u202e": { b: "\n" } }) as unknown,
    { a: ["\\x1b", 1, null, true], "k\\u202e": { b: "\\n" } },
  );
});
