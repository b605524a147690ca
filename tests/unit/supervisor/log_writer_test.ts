import { assert, assertEquals } from "../../helpers/assert.ts";
import { CappedLog } from "../../../src/supervisor/log_writer.ts";
import { tempHome } from "../../helpers/barn.ts";

Deno.test("a capped log keeps the head, marks the cut, and keeps the newest tail", () => {
  const home = tempHome("log");
  try {
    const path = `${home}/out.log`;
    const cap = 64 * 1024;
    const log = new CappedLog(path, cap);
    const enc = new TextEncoder();
    for (let i = 0; i < 20_000; i++) log.write(enc.encode(`line ${i}\n`));
    log.close();
    const text = Deno.readTextFileSync(path);
    assert(text.length <= cap + 200, `log is ${text.length} bytes, over the cap`);
    assert(text.startsWith("line 0\nline 1\n"), "head lost");
    assert(text.trimEnd().endsWith("line 19999"), "tail lost");
    const m = /\[barn: log truncated here, (\d+) bytes cut/.exec(text);
    assert(m, "no truncation marker");
    assertEquals(log.truncated, true);
    const written = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join("").length;
    const markerLine = text.slice(text.indexOf("\n[barn:"), text.indexOf("follows]\n") + 9).length;
    assertEquals(Number(m[1]) + text.length - markerLine, written);
    assertEquals(Deno.statSync(path).mode! & 0o777, 0o600);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("a small log is left alone", () => {
  const home = tempHome("log");
  try {
    const log = new CappedLog(`${home}/a.log`, 4096);
    log.write(new TextEncoder().encode("hello\n"));
    log.close();
    assertEquals(Deno.readTextFileSync(`${home}/a.log`), "hello\n");
    assertEquals(log.truncated, false);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("a log opened again appends after what is there, and counts it toward the cap", () => {
  const home = tempHome("log");
  try {
    const path = `${home}/a.log`;
    Deno.writeTextFileSync(path, "x".repeat(3000), { mode: 0o600 });
    const log = new CappedLog(path, 4096);
    log.write(new TextEncoder().encode("y".repeat(500)));
    assertEquals(log.truncated, false);
    assertEquals(Deno.readTextFileSync(path), "x".repeat(3000) + "y".repeat(500));
    log.write(new TextEncoder().encode("z".repeat(1000)));
    log.close();
    assertEquals(log.truncated, true);
    assert(Deno.readTextFileSync(path).startsWith("x".repeat(1024) + "\n[barn: log truncated"));
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});
