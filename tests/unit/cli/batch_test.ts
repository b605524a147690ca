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

Deno.test("batch: labels, after, group, name and meta per line; barn's own get and put", () => {
  const specs = parseBatch(
    [
      JSON.stringify({
        label: "dl",
        name: "dl-1",
        meta: { asset: "A-1" },
        command: ["barn", "get", "https://dav.example.com/a.mp4", "/tmp/barn/input/a.mp4"],
      }),
      JSON.stringify({ after: ["dl", "k3f9"], group: "probe", command: ["ffprobe", "a.mp4"] }),
      JSON.stringify({
        command: ["barn", "put", "--overwrite", "/tmp/barn/a.mp4", "https://dav.example.com/a"],
      }),
    ].join("\n"),
    "/tmp/barn",
    ALLOWED,
  );
  assertEquals(specs.map((s) => [s.label, s.name, s.meta, s.after, s.group]), [
    ["dl", "dl-1", { asset: "A-1" }, undefined, undefined],
    [undefined, undefined, undefined, ["dl", "k3f9"], "probe"],
    [undefined, undefined, undefined, undefined, undefined],
  ]);
  assertEquals(specs[0]!.command[0], "barn");
  for (
    const [line, why] of [
      [{ command: ["curl", "x"], after: "dl" }, /"after" must be an array/],
      [{ command: ["curl", "x"], after: [""] }, /"after" must be an array/],
      [{ command: ["curl", "x"], meta: [1] }, /"meta" must be a JSON object/],
      [{ command: ["curl", "x"], label: 3 }, /"label" must be a non-empty string/],
      [{ command: ["barn", "transfer", "get", "a", "b"] }, /'barn' is not an allowed command/],
      [{ command: ["barn", "get", "--job-dir=x", "a", "b"] }, /'barn' is not an allowed command/],
    ] as const
  ) {
    const m = refusal(JSON.stringify(line));
    assert(why.test(m), m);
  }
});

Deno.test("batch: a line with more than 8 notify URLs is refused with its line number", () => {
  const notify = Array.from({ length: 9 }, (_, i) => `http://127.0.0.1:1/${i}`);
  const text = JSON.stringify({ command: ["ffprobe", "x"] }) + "\n" +
    JSON.stringify({ command: ["ffprobe", "x"], notify });
  assert(refusal(text).startsWith('batch line 2: "notify": 9 URLs, but a job takes at most 8'));
});

Deno.test("batch: an integer past 2^53 is refused with its line, not stored rounded", () => {
  const text =
    '{"command": ["ffprobe", "x"]}\n{"command": ["ffprobe", "x"], "meta": {"id": 9007199254740993}}';
  assertEquals(
    refusal(text),
    "batch line 2 holds the integer 9007199254740993, which a JSON number cannot keep exactly " +
      "(beyond 2^53 it would come back as 9007199254740992); give it as a string; nothing was submitted",
  );
});

Deno.test("batch: an integer literal of 400 digits is valid JSON, refused as too large, not as not JSON", () => {
  const text = `{"command": ["ffprobe", "x"], "meta": {"id": 1${"0".repeat(400)}}}`;
  const why = refusal(text);
  assert(!why.includes("not JSON"), why);
  assert(why.startsWith("batch line 1"), why);
  assert(why.includes("too large for JSON"), why);
});
