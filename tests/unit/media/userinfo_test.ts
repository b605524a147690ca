import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import {
  httpUrl,
  shownUrl,
  splitUserinfo,
  stripUserinfo,
  userinfoSites,
} from "../../../src/media/userinfo.ts";

Deno.test("userinfo: in the authority only, before its first @; with or without a scheme", () => {
  assertEquals(splitUserinfo("https://h/a@b"), null);
  assertEquals(splitUserinfo("h?x=a@b"), null);
  assertEquals(splitUserinfo("HTTPS://u:p@h/x")?.scheme, "https");
  assertEquals(stripUserinfo("https://u:p%40@h/x"), { url: "https://h/x", userinfo: "u:p@" });
  // curl (and the WHATWG parser) take a scheme with one or three slashes too.
  assertEquals(stripUserinfo("http:/u:p@h/x"), { url: "http:/h/x", userinfo: "u:p" });
  assertEquals(stripUserinfo("http:///u:p@h/x"), { url: "http:///h/x", userinfo: "u:p" });
});

Deno.test("shownUrl: userinfo becomes …@, the rest is escaped", () => {
  assertEquals(shownUrl("https://u:hunter2pw@h/x"), "https://…@h/x");
  assertEquals(shownUrl("http:/u:hunter2pw@h/x"), "http:/…@h/x");
  assertEquals(shownUrl("https://h/\u001b[2J"), "https://h/\\u001b[2J");
});

Deno.test("httpUrl: http(s) URLs pass; errors show the URL without its userinfo", () => {
  const say = (what: string) => (shown: string) => `${what} '${shown}'`;
  assertEquals(httpUrl("https://h/x", say("url"), say("http")).href, "https://h/x");
  for (
    const [text, message] of [["nope", "url 'nope'"], ["ftp://u:hunter2@h/x", "http 'ftp://…@h/x'"]]
  ) {
    const e = assertThrows(() => httpUrl(text!, say("url"), say("http")), BarnError);
    assertEquals([e.code, e.message], ["E_USAGE", message]);
  }
});

/** The regex searches userinfoSites replaced (they backtrack quadratically): the oracle on short text. */
const OLD_FFMPEG = (a: string) =>
  /[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(a) ||
  [...a.matchAll(/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*):(?=\/{0,2}[^/?#\s]*@)/gi)].some((m) =>
    m[1]!.toLowerCase().split("+").some((n) => ["http", "tcp", "rtmp"].includes(n))
  );
const OLD_CURL = (a: string) => /[a-z][a-z0-9+.-]*:\/+[^/?#\s]*@/i.test(a);

/** The same decisions from userinfoSites, with the oracle's protocol list. */
const NEW_FFMPEG = (a: string) =>
  userinfoSites(a).some(({ run, slashes }) =>
    (slashes === 2 && /[a-z]/i.test(run)) ||
    (slashes <= 2 && /^[a-z]/i.test(run) &&
      run.toLowerCase().split("+").some((n) => ["http", "tcp", "rtmp"].includes(n)))
  );
const NEW_CURL = (a: string) => userinfoSites(a).some((s) => s.slashes > 0 && /[a-z]/i.test(s.run));

Deno.test("userinfoSites decides as the regex searches it replaced, on 200,000 random arguments", () => {
  const alphabet = [
    "h",
    "t",
    "p",
    "x",
    "1",
    "+",
    ".",
    "-",
    ":",
    "/",
    "@",
    "?",
    "#",
    " ",
    "http",
    "tcp+http",
  ];
  let seed = 7;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  let hits = 0;
  for (let i = 0; i < 200_000; i++) {
    const a = Array.from({ length: 1 + rand(12) }, () => alphabet[rand(alphabet.length)]).join("");
    assertEquals(NEW_FFMPEG(a), OLD_FFMPEG(a), `ffmpeg: ${JSON.stringify(a)}`);
    assertEquals(NEW_CURL(a), OLD_CURL(a), `curl: ${JSON.stringify(a)}`);
    if (OLD_FFMPEG(a)) hits++;
  }
  assert(hits > 500, `only ${hits} arguments with userinfo: the sample tests nothing`);
});

Deno.test("userinfoSites stays linear on the arguments that froze the service (200 KB each)", () => {
  const n = 200_000;
  for (
    const [a, expected] of [
      ["x".repeat(n), false],
      ["x".repeat(n) + "@", false],
      ["a:".repeat(n / 2) + "@", false],
      ["a:/".repeat(n / 3) + "@", true], // the last `a:/` and an empty userinfo
      [":/@".repeat(n / 3), false],
      ["@".repeat(n), false],
      ["http:".repeat(n / 5) + "u@h", true],
      ["x".repeat(n) + "://u:p@h", true],
    ] as const
  ) {
    assertEquals(NEW_CURL(a) || NEW_FFMPEG(a), expected, `${a.slice(0, 12)}… (${a.length})`);
  }
});
