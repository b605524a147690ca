import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { parseCredentialsJson } from "../../../src/config/credentials_file.ts";

Deno.test("credentials.json: parsed, and a syntax error never quotes the secrets in it", () => {
  assertEquals(parseCredentialsJson('{"notify_secret": "s"}', "/h/credentials.json"), {
    notify_secret: "s",
  });
  const e = assertThrows(
    () => parseCredentialsJson('{"hosts": {"dav": {"password": "hunter2"', "/h/credentials.json"),
    BarnError,
  );
  assertEquals(e.code, "E_CONFIG");
  assert(e.message.startsWith("/h/credentials.json is not valid JSON ("), e.message);
  assert(!e.message.includes("hunter2"), e.message);
});
