import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import {
  checkMeta,
  META_MAX_BYTES,
  META_MAX_DEPTH,
  parseMeta,
  parseMetaFilter,
} from "../../../src/jobs/meta.ts";

function usage(fn: () => unknown): string {
  const e = assertThrows(fn, BarnError);
  assertEquals(e.code, "E_USAGE");
  return e.message;
}

Deno.test("meta: a JSON object of at most 16 KiB of UTF-8, kept as given", () => {
  const v = { asset: "A-1", n: 2.5, tags: ["a"], deep: { "é": null } };
  assertEquals(parseMeta(JSON.stringify(v)), v);
  // 2-byte characters count twice: the cap is on bytes.
  const fits = { x: "é".repeat((META_MAX_BYTES - 8) / 2) };
  assertEquals(new TextEncoder().encode(JSON.stringify(fits)).length, META_MAX_BYTES);
  assertEquals(checkMeta(fits), fits);
  assertMatch(
    usage(() => checkMeta({ x: "é".repeat((META_MAX_BYTES - 6) / 2) })),
    /16386 bytes of JSON; at most 16384/,
  );
  for (const bad of [[1], "x", null, 3]) usage(() => checkMeta(bad));
  // A parse error gives its place, never the text.
  assertMatch(usage(() => parseMeta('{"a": 1,}')), /not JSON \(at position 8/);
  const m = usage(() => parseMeta('{"password": hunter2}'));
  assertMatch(m, /not JSON/);
  assertEquals(m.includes("hunter2"), false);
});

Deno.test("meta filters: KEY=VALUE, the value may hold '='; no empty key, no '\"'", () => {
  assertEquals(parseMetaFilter("asset=A=1"), { key: "asset", value: "A=1" });
  assertEquals(parseMetaFilter("n="), { key: "n", value: "" });
  assertMatch(usage(() => parseMetaFilter("asset")), /write KEY=VALUE/);
  usage(() => parseMetaFilter("=x"));
  assertMatch(usage(() => parseMetaFilter('a"b=1')), /without '"'/);
});

Deno.test("meta: deeper than 20 levels, or a number JSON can't carry, is E_USAGE (not the frame's E_BAD_REQUEST, not a silent null)", () => {
  const nest = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
  assertEquals(META_MAX_DEPTH, 20);
  parseMeta(nest(20));
  parseMeta(`{"a": [${"[".repeat(18)}${"]".repeat(18)}]}`);
  assertMatch(usage(() => parseMeta(nest(21))), /nests 21 levels deep; at most 20/);
  assertMatch(usage(() => parseMeta(nest(2000))), /nests 2000 levels deep/);
  assertMatch(usage(() => parseMeta('{"k": 1e400}')), /too large for JSON/);
  assertMatch(usage(() => checkMeta({ k: [-Infinity] })), /too large for JSON/);
  assertMatch(
    usage(() => parseMeta('{"id": 12345678901234567891}')),
    /holds the integer 12345678901234567891, which a JSON number cannot keep exactly \(beyond 2\^53 it would come back as 12345678901234567168\); give it as a string/,
  );
  // An integer literal of 400 digits is valid JSON: too large, not "not JSON".
  const huge = "1" + "0".repeat(400);
  assertMatch(usage(() => parseMeta(`{"k": ${huge}}`)), /too large for JSON/);
  assertMatch(usage(() => parseMeta(`{"k": [-${huge}]}`)), /too large for JSON/);
});
