import { assert, assertEquals } from "../../../helpers/assert.ts";
import { davUrl } from "../../../../src/cli/commands/transfer.ts";

Deno.test("davUrl: the login leaves the URL in every form the URL parser takes it", () => {
  const pw = "s3cr3t-Pw";
  for (
    const [text, url] of [
      [`https://u:${pw}@h/a.mp4`, "https://h/a.mp4"],
      [`http:/u:${pw}@h:8080/a.mp4`, "http:/h:8080/a.mp4"],
      [`http:///u:${pw}@h/a.mp4`, "http:///h/a.mp4"],
      [`http:u:${pw}@h/a.mp4`, "http://h/a.mp4"],
      [`http:\\\\u:${pw}@h\\a.mp4`, "http://h/a.mp4"],
      [`HTTPS://u:${pw.replace("-", "%2D")}@h/a.mp4`, "HTTPS://h/a.mp4"],
    ]
  ) {
    const d = davUrl(text!);
    assertEquals(d.auth, { user: "u", password: pw }, text);
    assert(!d.url.includes(pw) && !d.url.includes("@"), `${text} -> ${d.url}`);
    assertEquals(d.url, url, text);
    assertEquals(new URL(d.url).href, new URL(url!).href);
  }
  assertEquals(davUrl("https://h/a@b.mp4"), { url: "https://h/a@b.mp4", auth: null });
});
