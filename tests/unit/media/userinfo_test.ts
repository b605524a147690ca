import { assertEquals } from "../../helpers/assert.ts";
import { shownUrl, splitUserinfo, stripUserinfo } from "../../../src/media/userinfo.ts";

Deno.test("userinfo: in the authority only, before its first @; with or without a scheme", () => {
  assertEquals(splitUserinfo("https://h/a@b"), null);
  assertEquals(splitUserinfo("h?x=a@b"), null);
  assertEquals(splitUserinfo("HTTPS://u:p@h/x")?.scheme, "https");
  assertEquals(stripUserinfo("https://u:p%40@h/x"), { url: "https://h/x", userinfo: "u:p@" });
});

Deno.test("shownUrl: userinfo becomes …@, the rest is escaped", () => {
  assertEquals(shownUrl("https://u:hunter2pw@h/x"), "https://…@h/x");
  assertEquals(shownUrl("https://h/\u001b[2J"), "https://h/\\u001b[2J");
});
