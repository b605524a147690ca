import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { checkNotifyUrl } from "../../../src/notify/notify_url.ts";

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
