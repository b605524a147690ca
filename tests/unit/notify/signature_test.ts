import { assertEquals } from "../../helpers/assert.ts";
import { signDelivery } from "../../../src/notify/signature.ts";

Deno.test("signDelivery: HMAC-SHA256 over '<timestamp>.<body>', as openssl computes it", async () => {
  // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'key-0123456789abcdef'
  assertEquals(
    await signDelivery("key-0123456789abcdef", "1700000000", '{"a":1}'),
    "sha256=" + EXPECTED,
  );
});

const EXPECTED = "8a091117e0b1ccf5034d0d8c06ab42b29a4451a72f95b56f22afaf6bfb7af0d3";
