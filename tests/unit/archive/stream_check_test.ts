import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { expectedOf, StreamCheck } from "../../../src/archive/stream_check.ts";

const abc = new TextEncoder().encode("abc");
const ABC_SHA = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

Deno.test("StreamCheck: size and sha256 match, or E_VERIFY", () => {
  const ok = new StreamCheck(expectedOf("3", ABC_SHA.toUpperCase()));
  ok.see(abc.subarray(0, 1));
  ok.see(abc.subarray(1));
  assertEquals(ok.finish(), { size: 3, sha256: ABC_SHA });
  const short = new StreamCheck(expectedOf("4", undefined));
  short.see(abc);
  assertEquals(assertThrows(() => short.finish(), BarnError).code, "E_VERIFY");
  const long = new StreamCheck(expectedOf("2", undefined));
  assertEquals(assertThrows(() => long.see(abc), BarnError).code, "E_VERIFY");
  const wrong = new StreamCheck(expectedOf(undefined, "0".repeat(64)));
  wrong.see(abc);
  assertEquals(assertThrows(() => wrong.finish(), BarnError).code, "E_VERIFY");
});

Deno.test("expectedOf: malformed --size and --sha256 are E_USAGE", () => {
  for (const [size, sha] of [["-1", undefined], ["1e3", undefined], [undefined, "abc"]]) {
    assertEquals(assertThrows(() => expectedOf(size, sha), BarnError).code, "E_USAGE");
  }
});
