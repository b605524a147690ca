import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { checkNotifyUrl, checkNotifyUrls } from "../../../src/notify/notify_url.ts";

Deno.test("checkNotifyUrl: http(s) URLs pass in normal form", () => {
  assertEquals(
    checkNotifyUrl("https://Hooks.example.com/a?b=1", "--notify"),
    "https://hooks.example.com/a?b=1",
  );
  assertEquals(checkNotifyUrl("http://127.0.0.1:8080", "--notify"), "http://127.0.0.1:8080/");
});

Deno.test("checkNotifyUrl: other schemes, non-URLs and userinfo are E_USAGE; a password is never shown", () => {
  for (
    const bad of ["ftp://h/x", "file:///etc/passwd", "javascript:alert(1)", "hooks.example.com", ""]
  ) {
    const e = assertThrows(() => checkNotifyUrl(bad, "--notify"), BarnError);
    assertEquals(e.code, "E_USAGE", bad);
  }
  for (
    const bad of [
      "https://u:hunter2pw@h/x",
      "https://hunter2pw@h/x",
      "http://u:hunter2pw@h:1",
      "http:/u:hunter2pw@h/x",
      "https:///u:hunter2pw@h/x",
    ]
  ) {
    const e = assertThrows(() => checkNotifyUrl(bad, "--notify"), BarnError);
    assertEquals(e.code, "E_USAGE");
    assert(!e.message.includes("hunter2pw"), e.message);
    assert(e.message.includes("…@h"), e.message);
  }
});

Deno.test("checkNotifyUrls: repeats fold, more than 8 distinct URLs is E_USAGE (not the protocol's E_BAD_REQUEST)", () => {
  const nine = Array.from({ length: 9 }, (_, i) => `http://127.0.0.1:1/${i}`);
  assertEquals(checkNotifyUrls([...nine.slice(0, 8), nine[0]!], "--notify").length, 8);
  const e = assertThrows(() => checkNotifyUrls(nine, "--notify"), BarnError);
  assertEquals(e.code, "E_USAGE");
  assert(e.message.startsWith("--notify: 9 URLs, but a job takes at most 8"), e.message);
});
