import { assert, assertEquals } from "../../helpers/assert.ts";
import { CurlRedactor } from "../../../src/media/curl_redact.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Runs text through a redactor in chunks of `size` bytes. */
function run(text: string | Uint8Array, size: number): string {
  const bytes = typeof text === "string" ? enc.encode(text) : text;
  const r = new CurlRedactor();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(r.push(bytes.subarray(i, i + size)));
  parts.push(r.end());
  return parts.map((p) => dec.decode(p, { stream: true })).join("") + dec.decode();
}

const VERBOSE = [
  "* Server auth using Basic with user 'media'\r\n",
  "> GET /f HTTP/1.1\r\n",
  "> Authorization: Basic bWVkaWE6czNjcjN0\r\n",
  "> Cookie: sid=s3cr3t\r\n",
  "> X-Api-Key: s3cr3t\r\n",
  "< Set-Cookie: sid=s3cr3t; Path=/\r\n",
  // Without -s, curl appends -v lines to its progress meter's last update.
  "  0  100M    0  1024    0     0   10k      0\r  5  100M",
  "> Proxy-Authorization: Basic cHJveHk6czNjcjN0\r\n",
  "12:00:01.123456 [0-1] > authorization: Bearer s3cr3t\n",
  "* h2h3 [authorization: Basic czNjcjN0]\n",
  "* [HTTP/2] [1] [cookie: sid=s3cr3t]\n",
  "0000: Authorization: Basic czNjcjN0\n",
  "> Accept: */*\r\n",
  "Set-Cookie: plain=s3cr3t\r\n", // -D - and -i print response headers without a prefix
  "body line that mentions Authorization: s3cr3t in the middle\n",
  "> Authorization: Bearer s3cr3t-at-the-very-end",
].join("");

const EXPECTED = [
  "* Server auth using Basic with user 'media'\r\n",
  "> GET /f HTTP/1.1\r\n",
  "> Authorization: [redacted by barn]\r\n",
  "> Cookie: [redacted by barn]\r\n",
  "> X-Api-Key: [redacted by barn]\r\n",
  "< Set-Cookie: [redacted by barn]\r\n",
  "  0  100M    0  1024    0     0   10k      0\r  5  100M",
  "> Proxy-Authorization: [redacted by barn]\r\n",
  "12:00:01.123456 [0-1] > authorization: [redacted by barn]\n",
  "* h2h3 [authorization: [redacted by barn]\n",
  "* [HTTP/2] [1] [cookie: [redacted by barn]\n",
  "0000: Authorization: [redacted by barn]\n",
  "> Accept: */*\r\n",
  "Set-Cookie: [redacted by barn]\r\n",
  "body line that mentions Authorization: s3cr3t in the middle\n",
  "> Authorization: [redacted by barn]",
].join("");

Deno.test("credential header lines keep their name and lose their value, in any chunking", () => {
  for (const size of [1, 2, 3, 5, 7, 13, 64, 100_000]) {
    assertEquals(run(VERBOSE, size), EXPECTED, `chunks of ${size}`);
  }
});

Deno.test("a header line longer than the decision window is still redacted", () => {
  const long = `> Authorization: Bearer ${"x".repeat(5000)}s3cr3t\r\n> Host: h\r\n`;
  for (const size of [1, 300, 4096]) {
    assertEquals(run(long, size), "> Authorization: [redacted by barn]\r\n> Host: h\r\n");
  }
});

Deno.test("everything else passes byte for byte, binary included", () => {
  const bin = new Uint8Array(300_000);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919 + (i >> 3)) & 0xff;
  for (const size of [1000, 65536]) {
    const r = new CurlRedactor();
    const out: number[] = [];
    for (let i = 0; i < bin.length; i += size) out.push(...r.push(bin.subarray(i, i + size)));
    out.push(...r.end());
    assertEquals(out.length, bin.length);
    assert(out.every((b, i) => b === bin[i]), "binary data changed");
  }
  const text = "line one: fine\nAccept: */*\n" + "no newline at the end";
  assertEquals(run(text, 4), text);
});
