import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import type { LogRecord } from "@logtape/logtape";
import { rotatingFileSink } from "../../../src/service/logger.ts";

function record(n: number): LogRecord {
  return {
    category: ["barn", "service"],
    level: "info",
    message: [`line ${n}`],
    rawMessage: `line ${n}`,
    timestamp: Date.UTC(2026, 10, 23, 12, 0, n),
    properties: {},
  };
}

Deno.test("log sink: appends whole lines, rotates by size, keeps 1 + 4 files, 0600", () => {
  const dir = Deno.makeTempDirSync({ dir: "/tmp/barn", prefix: "logsink-" });
  try {
    const path = `${dir}/service.log`;
    const sink = rotatingFileSink(path, 200, 5);
    for (let n = 0; n < 40; n++) sink(record(n));
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(files, [
      "service.log",
      "service.log.1",
      "service.log.2",
      "service.log.3",
      "service.log.4",
    ]);
    for (const f of files) {
      const text = Deno.readTextFileSync(`${dir}/${f}`);
      assert(new TextEncoder().encode(text).length <= 200, f);
      assertMatch(
        text,
        /^(\d{4}-\d\d-\d\d [\d:.]+ [+-]\d\d:\d\d \[INF\] barn·service: line \d+\n)+$/,
      );
      assertEquals(Deno.statSync(`${dir}/${f}`).mode! & 0o777, 0o600);
    }
    // Newest in service.log, the oldest kept in service.log.4; nothing in between is lost.
    const lines = files.slice().reverse().flatMap((f) =>
      Deno.readTextFileSync(`${dir}/${f}`).trim().split("\n")
    ).map((l) => Number(/line (\d+)$/.exec(l)![1]));
    assertEquals(lines, lines.map((_, i) => lines[0]! + i));
    assertEquals(lines.at(-1), 39);
    // A restart appends to the existing file.
    const before = Deno.readTextFileSync(path);
    rotatingFileSink(path, 10_000, 5)(record(40));
    const after = Deno.readTextFileSync(path);
    assert(after.startsWith(before) && after.length > before.length);
    assertMatch(Deno.readTextFileSync(path), /line 40\n$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
