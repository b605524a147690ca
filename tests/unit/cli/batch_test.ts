import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { parseBatch } from "../../../src/cli/batch.ts";

const ALLOWED = ["ffmpeg", "ffprobe", "curl"];

function refusal(text: string): string {
  const e = assertThrows(() => parseBatch(text, "/tmp/barn", ALLOWED), BarnError);
  assertEquals(e.code, "E_USAGE");
  return e.message;
}

Deno.test("batch errors never quote the file beyond a short escaped excerpt", () => {
  // What --batch=<a link to /etc/passwd> read: the first line must not come back.
  const passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n";
  const m = refusal(passwd);
  assert(!m.includes("root:x") && !m.includes("/bin/bash"), m);
  assert(m.startsWith("batch line 1: not JSON"), m);
  const long = "\u202e".repeat(10_000);
  for (
    const text of [
      JSON.stringify({ command: ["curl", "x"], [long]: 1 }),
      JSON.stringify({ command: [long, "x"] }),
      JSON.stringify({ command: ["ffprobe", "x"], timeout: long }),
    ]
  ) {
    const msg = refusal(text);
    assert(msg.length < 300, `${msg.length} characters`);
    assert(!msg.includes("\u202e") && msg.includes("\\u202e"), msg);
  }
});
