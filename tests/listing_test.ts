/** `barn status` streams: a listing past the frame cap, byte for byte the old JSON, and never in the way of writes. */

import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, MAIN, ROOT, startService, tempHome } from "./helpers/barn.ts";
import { MAX_FRAME_BYTES } from "../src/protocol/framing.ts";

const JOBS = 1300;
/** Big records: JOBS of them hold more than the 8 MiB frame cap. */
const ARG = "x".repeat(7000);

/** Starts `barn status --all --output=…` with its stdout left for the test to read (or not). */
function statusChild(home: string, format: string): Deno.ChildProcess {
  return new Deno.Command(DENO, {
    args: ["run", "-q", "-P=barn", MAIN, "status", "--all", `--output=${format}`],
    cwd: ROOT,
    env: { BARN_HOME: home, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(s).text();
}

Deno.test("status streams a listing past the frame cap: one array, the old layout, newest first; a stalled reader blocks no write", async () => {
  const home = tempHome("listing");
  try {
    await startService(home);
    for (const half of [0, 1]) {
      const lines = Array.from(
        { length: JOBS / 2 },
        (_, i) => JSON.stringify({ command: ["curl", ARG, `${half}-${i}`], pending: "L" }),
      ).join("\n");
      const r = await barn(home, ["run", "--batch=-"], { stdin: lines });
      assertEquals(r.code, 0, r.stderr);
    }
    const db = new DatabaseSync(`${home}/barn.db`, { readOnly: true });
    const order = (db.prepare("SELECT job_id FROM jobs ORDER BY created_at DESC, rowid DESC")
      .all() as { job_id: string }[]).map((r) => r.job_id);
    db.close();

    const json = await barn(home, ["status", "--all", "--output=json"]);
    assertEquals(json.code, 0, json.stderr);
    assert(json.stdout.length > MAX_FRAME_BYTES, `only ${json.stdout.length} bytes`);
    const jobs = json.json() as { job_id: string; command: string[] }[];
    // The layout `JSON.stringify(jobs, null, 2)` printed before streaming, byte for byte.
    assertEquals(json.stdout, JSON.stringify(jobs, null, 2) + "\n");
    assertEquals(jobs.map((j) => j.job_id), order);
    assertEquals(jobs[0]!.command, ["curl", ARG, `1-${JOBS / 2 - 1}`]);
    const offline = await barn(home, ["--offline", "status", "--all", "--output=json"]);
    assertEquals(offline.stdout, json.stdout);
    const xml = await barn(home, ["status", "--all", "--output=xml"]);
    assertEquals(xml.stdout.match(/<job>/g)?.length, JOBS);
    assert(xml.stdout.endsWith("</jobs>\n"));
    const human = await barn(home, ["status", "--all"]);
    assertEquals(human.stdout.trimEnd().split("\n").length, JOBS + 1);

    // A reader that stops reading holds the service mid-listing; submissions and the keeper's
    // writes go on meanwhile (an open read would pin the service's snapshot and lock them out).
    const stalled = statusChild(home, "json");
    const reader = stalled.stdout.getReader();
    const first = await reader.read();
    assert(!first.done && first.value.length > 0);
    const run = await barn(home, ["run", "curl", "--version"]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals((await barn(home, ["wait", run.stdout.trim(), "--timeout=60s"])).code, 0);
    const again = await barn(home, ["run", "curl", "--version"]);
    assertEquals(again.code, 0, again.stderr);
    let rest = new TextDecoder().decode(first.value);
    for (;;) {
      const c = await reader.read();
      if (c.done) break;
      rest += new TextDecoder().decode(c.value, { stream: true });
    }
    const st = await stalled.status;
    assertEquals(st.code, 0, await readAll(stalled.stderr));
    // The listing is the one that began before those submissions.
    assertEquals((JSON.parse(rest) as { job_id: string }[]).map((j) => j.job_id), order);

    // A reader that goes away ends the listing quietly, as a writer ended by SIGPIPE would.
    const closed = statusChild(home, "json");
    const r2 = closed.stdout.getReader();
    await r2.read();
    await r2.cancel();
    const cs = await closed.status;
    assertEquals(cs.code, 141);
    assertEquals(await readAll(closed.stderr), "");
  } finally {
    await cleanupHome(home);
  }
});
