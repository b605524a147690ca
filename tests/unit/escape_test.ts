import { assert, assertEquals, assertThrows } from "../helpers/assert.ts";
import {
  escapeLines,
  escapeLog,
  escapeStrings,
  escapeText,
  excerpt,
  jsonErrorPlace,
  parseJsonOr,
} from "../../src/escape.ts";

Deno.test("control, bidi and invisible characters are escaped; the rest stays", () => {
  assertEquals(escapeText("a\u202eb\u2066c\u200fd"), "a\\u202eb\\u2066c\\u200fd");
  assertEquals(
    escapeText("\x1b[31mred\x07\x00\x7f\x85"),
    "\\u001b[31mred\\u0007\\u0000\\u007f\\u0085",
  );
  assertEquals(escapeText("tab\tline\nret\r"), "tab\\tline\\nret\\r");
  assertEquals(escapeText("\ufeffzero\u200bwidth\u2028"), "\\ufeffzero\\u200bwidth\\u2028");
  assertEquals(escapeText("\ud800 lone"), "\\ud800 lone");
  assertEquals(
    escapeText("ok: ünïcødé 漢字 🎬 /tmp/barn/x.mp4"),
    "ok: ünïcødé 漢字 🎬 /tmp/barn/x.mp4",
  );
  assertEquals(escapeLines("one\x1b\ntwo"), "one\\u001b\ntwo");
});

Deno.test("an excerpt is short, keeps head and tail, and never splits an escape", () => {
  const long = "x".repeat(10_000) + "END";
  const e = excerpt(long);
  assert(e.length <= 64, `${e.length}`);
  assert(e.startsWith("xxx") && e.endsWith("END") && e.includes("…"), e);
  const rtl = "\u202e".repeat(5000);
  const r = excerpt(rtl);
  assert(r.length <= 64 && !r.includes("\u202e"), r);
  assert(/^(\\u202e)+…(\\u202e)+$/.test(r), r);
  assertEquals(excerpt("short"), "short");
  assertEquals(excerpt(undefined), "");
  // Surrogate pairs stay whole.
  assert(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(excerpt("🎬".repeat(100))));
});

Deno.test("a JSON parse error gives its place, never the text V8 quotes", () => {
  let err: unknown;
  try {
    JSON.parse("root:x:0:0:root:/root:/bin/bash");
  } catch (e) {
    err = e;
  }
  assert(String((err as Error).message).includes("root"), "V8 quotes the input");
  assert(!jsonErrorPlace(err).includes("root"));
  const trailing = assertThrows(() => JSON.parse('{"a": 1,}'), SyntaxError);
  assertEquals(jsonErrorPlace(trailing), "at position 8 (line 1 column 9)");
});

Deno.test("parseJsonOr: the value, or the caller's error told only the place", () => {
  const fail = (place: string) => new Error(`bad [${place}]`);
  assertEquals(parseJsonOr('{"a": [1]}', fail), { a: [1] });
  assertEquals(
    assertThrows(() => parseJsonOr('{"a": 1,}', fail), Error).message,
    "bad [at position 8 (line 1 column 9)]",
  );
  const e = assertThrows(() => parseJsonOr("root:x:0:0", fail), Error);
  assert(!e.message.includes("root"), e.message);
});

Deno.test("parseJsonOr with `rounded`: an integer past 2^53 is refused; exact large numbers pass", () => {
  const fail = (place: string) => new Error(`bad [${place}]`);
  const rounded = (literal: string) => new Error(`rounded ${literal}`);
  assertEquals(
    assertThrows(() => parseJsonOr('{"a": [9007199254740993]}', fail, rounded), Error).message,
    "rounded 9007199254740993",
  );
  assertEquals(
    assertThrows(() => parseJsonOr("-12345678901234567891", fail, rounded), Error).message,
    "rounded -12345678901234567891",
  );
  // Exactly representable, or not an integer literal: kept as JSON.parse gives it.
  assertEquals(
    parseJsonOr(
      '{"a": 9007199254740992, "b": 1e21, "c": 1.5, "d": 18014398509481984}',
      fail,
      rounded,
    ),
    { a: 9007199254740992, b: 1e21, c: 1.5, d: 18014398509481984 },
  );
  // An integer literal past the doubles' range parses (to Infinity), as JSON.parse gives it:
  // the caller's own check of non-finite numbers speaks for it, not a "not JSON" error.
  assertEquals(parseJsonOr(`[${"9".repeat(400)}]`, fail, rounded), [Infinity]);
  // Without `rounded`, JSON.parse's rounding as before (frames are barn's own numbers).
  assertEquals(parseJsonOr("9007199254740993", fail), 9007199254740992);
});

Deno.test("escapeLog keeps a log's line breaks and tabs, and escapes the rest", () => {
  assertEquals(
    escapeLog("line 1\n\tline 2\x1b]0;t\x07\u202e"),
    "line 1\n\tline 2\\u001b]0;t\\u0007\\u202e",
  );
  assertEquals(escapeLog("frame=1\rframe=2\r\nend\r\n"), "frame=1\nframe=2\nend\n");
});

Deno.test("escapeStrings: every string of a record, keys included; other values untouched", () => {
  assertEquals(
    escapeStrings({ a: ["\x1b", 1, null, true], "k\u202e": { b: "\n\u00ad\ufeff" } }) as unknown,
    { a: ["\\u001b", 1, null, true], "k\\u202e": { b: "\\n\\u00ad\\ufeff" } },
  );
});
