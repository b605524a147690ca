import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { httpUrl, shownUrl, splitUserinfo, stripUserinfo } from "../../../src/media/userinfo.ts";

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
