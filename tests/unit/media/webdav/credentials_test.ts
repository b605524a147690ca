import { assert, assertEquals, assertThrows } from "../../../helpers/assert.ts";
import { BarnError } from "../../../../src/errors.ts";
import { parseCredentials } from "../../../../src/media/webdav/credentials.ts";

Deno.test("credentials.json: parsed per host; a broken file is reported by place, never quoted", () => {
  assertEquals(
    parseCredentials('{"hosts": {"dav:8080": {"user": "u", "password": "p"}}}', "c.json"),
    { "dav:8080": { user: "u", password: "p" } },
  );
  // A missing quote right after the password: V8 would quote the text around it.
  const e = assertThrows(
    () => parseCredentials('{"hosts": {"h": {"user": "u", "password": "s3cr3t-pw}}}', "c.json"),
    BarnError,
  );
  assertEquals(e.code, "E_CONFIG");
  assert(!e.message.includes("s3cr3t"), e.message);
  assert(/at position \d+|cannot parse it/.test(e.message), e.message);
});
