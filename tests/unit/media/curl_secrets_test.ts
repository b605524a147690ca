import { assertEquals } from "../../helpers/assert.ts";
import { splitCurlSecrets, stripUserinfo } from "../../../src/media/curl_secrets.ts";

Deno.test("curl credentials move into a config file; the argv keeps none", () => {
  const s = splitCurlSecrets([
    "curl",
    "-u",
    'user:pa ss"word',
    "-o",
    "/tmp/barn/input/v.mp4",
    "-H",
    "Authorization: Bearer tok",
    "-H",
    "Accept: */*",
    "https://alice:s3cr%40t@example.com/dav/f.mp4",
  ]);
  assertEquals(s.command, [
    "curl",
    "-o",
    "/tmp/barn/input/v.mp4",
    "-H",
    "Accept: */*",
    "https://example.com/dav/f.mp4",
  ]);
  assertEquals(
    s.config,
    'user = "user:pa ss\\"word"\nheader = "Authorization: Bearer tok"\nuser = "alice:s3cr@t"\n',
  );
  assertEquals(splitCurlSecrets(["curl", "-uuser:pw", "http://h/"]).command, ["curl", "http://h/"]);
  assertEquals(splitCurlSecrets(["curl", "-s", "http://h/"]).config, "");
  assertEquals(stripUserinfo("http://h/a@b"), { url: "http://h/a@b", userinfo: null });
});
