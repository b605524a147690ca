import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import {
  checkIdPrefix,
  checkJobRef,
  checkName,
  ID_PATTERN,
  newJobId,
  resolvePrefix,
} from "../../../src/jobs/ids.ts";
import { BarnError } from "../../../src/errors.ts";

Deno.test("ids are 12 characters of lower-case base32", () => {
  for (let i = 0; i < 200; i++) assert(ID_PATTERN.test(newJobId()));
});

Deno.test("leading characters are random, so 4-character prefixes rarely collide", () => {
  const prefixes = new Set(Array.from({ length: 500 }, () => newJobId(Date.now()).slice(0, 4)));
  assert(prefixes.size > 480, `only ${prefixes.size} distinct prefixes of 500`);
});

Deno.test("the same random part at different seconds gives different ids", () => {
  assert(newJobId(1_800_000_000_000, 42) !== newJobId(1_800_000_001_000, 42));
  assertEquals(newJobId(1_800_000_000_000, 42), newJobId(1_800_000_000_500, 42));
});

Deno.test("prefix resolution: exact, unique prefix, none, ambiguous", () => {
  const ids = ["abcd00000000", "abce00000000", "zzzz11111111"];
  assertEquals(resolvePrefix("zzzz", ids), "zzzz11111111");
  assertEquals(resolvePrefix("ABCD0", ids), "abcd00000000");
  assertEquals(assertThrows(() => resolvePrefix("qqqq", ids), BarnError).code, "E_NOT_FOUND");
  const amb = assertThrows(
    () => resolvePrefix("abc0", ["abc00000000a", "abc00000000b"]),
    BarnError,
  );
  assertEquals(amb.code, "E_AMBIGUOUS");
  assert(amb.message.includes("abc00000000a") && amb.message.includes("abc00000000b"));
});

Deno.test("prefixes shorter than 4 or with odd characters are usage errors", () => {
  for (const bad of ["abc", "", "ab-d", "abcdefghjkmnp"]) {
    assertEquals(assertThrows(() => checkIdPrefix(bad), BarnError).code, "E_USAGE");
  }
});

Deno.test("a 10 KB or right-to-left id comes back short and escaped", () => {
  for (const bad of ["k".repeat(10_240), "\u202eabcd", `abcd\x1b[2J${"z".repeat(5000)}`]) {
    const m = assertThrows(() => checkIdPrefix(bad), BarnError).message;
    assert(m.length < 200, `${m.length} characters`);
    // deno-lint-ignore no-control-regex -- neither may come back raw
    assert(!/[\u202e\x1b]/.test(m), m);
  }
});

Deno.test("job references: @NAME keeps names apart from id prefixes; names are checked", () => {
  assertEquals(checkJobRef("K3F9"), "k3f9");
  assertEquals(checkJobRef("@Render.v2_a-1"), "@Render.v2_a-1");
  assertEquals(checkName("x".repeat(64)), "x".repeat(64));
  for (const bad of ["@", "@-x", "@a b", "@" + "x".repeat(65), "abc"]) {
    const e = assertThrows(() => checkJobRef(bad), BarnError);
    assertEquals(e.code, "E_USAGE");
  }
  const e = assertThrows(() => checkName("\u202ex", "--group"), BarnError);
  assert(e.message.startsWith("--group '\\u202ex'"), e.message);
});
