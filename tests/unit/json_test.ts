import { assert, assertEquals, assertThrows } from "../helpers/assert.ts";
import { parseJson } from "../../src/json.ts";

const R = String.raw;

Deno.test("parseJson keeps a one-escape key that V8's JSON.parse reads as '\\' after a '\\\\' key", () => {
  // The poison: an object of this shape once had the key "\\".
  JSON.parse(R`{"h":[],"\\":0}`);
  for (const key of ["\n", '"', "/", "A", "\t", "\b", "é", "\u2028", "\\"]) {
    const text = `{"h":1,${JSON.stringify(key).replace("A", R`\u0041`)}:2}`;
    assertEquals(Object.keys(parseJson(text) as object), ["h", key], text);
  }
  // Through `onNumber` (barn's own parser always) too.
  const seen: string[] = [];
  assertEquals(
    Object.keys(parseJson(R`{"h":1,"\n":2}`, (l) => seen.push(l)) as object),
    ["h", "\n"],
  );
  assertEquals(seen, ["1", "2"]);
});

/** Values with the keys and strings that test a JSON reader. */
function randomValue(rand: (n: number) => number, depth = 0): unknown {
  const strings = [
    "",
    "a",
    "\n",
    '"',
    "\\",
    "/",
    "\u0000",
    "\u001f",
    "é",
    "😀",
    "\ud800",
    "__proto__",
    "0",
    "a b",
  ];
  const pick = rand(depth > 3 ? 4 : 6);
  if (pick === 0) return strings[rand(strings.length)];
  if (pick === 1) return [0, 1.5, -2e-7, 1e21, 123456789, 2 ** 53 + 2, -7][rand(7)];
  if (pick === 2) return [true, false, null][rand(3)];
  if (pick === 3) return strings[rand(strings.length)]! + strings[rand(strings.length)]!;
  if (pick === 4) return Array.from({ length: rand(4) }, () => randomValue(rand, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = rand(5); i > 0; i--) {
    Object.defineProperty(o, strings[rand(strings.length)]!, {
      value: randomValue(rand, depth + 1),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return o;
}

Deno.test("parseJson reads back what JSON.stringify wrote, with barn's parser and without, 20,000 values", () => {
  let seed = 11;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  for (let i = 0; i < 20_000; i++) {
    const v = randomValue(rand);
    const text = JSON.stringify(v, null, [0, 1, "\t"][rand(3)]);
    assertEquals(parseJson(text, () => {}), v, text);
    assertEquals(parseJson(text), v, text);
  }
});

Deno.test("parseJson: __proto__ is an own property, as with JSON.parse; the last of duplicate keys wins", () => {
  const o = parseJson(R`{"__proto__":{"x":1},"\n":1,"a":1,"a":2}`) as Record<string, unknown>;
  assertEquals(Object.keys(o), ["__proto__", "\n", "a"]);
  assertEquals(Object.getPrototypeOf(o), Object.prototype);
  assertEquals(o.a, 2);
  assert(!("x" in o));
});

Deno.test("parseJson refuses what JSON.parse refuses, as a SyntaxError with its place", () => {
  const bad = [
    "",
    " ",
    "{",
    "[1,]",
    R`{"a":1,}`,
    R`"\x"`,
    "01",
    "1.",
    ".5",
    "+1",
    R`"\u12"`,
    "tru",
    "nul",
    '"a\nb"',
    R`{"a" 1}`,
    "[1 2]",
    "1 2",
    R`{"\n":1`,
    R`{"\n" 1}`,
    "-",
    "1e",
    R`{"\n":1,}`,
  ];
  for (const text of bad) {
    assertThrows(() => JSON.parse(text), SyntaxError);
    // The same text as a key that forces barn's parser, and with onNumber.
    for (const read of [() => parseJson(text, () => {}), () => parseJson(`{"\\n":${text}}`)]) {
      let thrown: unknown = null;
      try {
        read();
      } catch (e) {
        thrown = e;
      }
      assert(thrown instanceof SyntaxError, `accepted ${JSON.stringify(text)}`);
    }
  }
  const e = assertThrows(() => parseJson(R`{"\n": [1,]}`), SyntaxError);
  assert(/at position \d+/.test(e.message), e.message);
});
