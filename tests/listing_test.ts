/** `barn status` streams: a listing past the frame cap, byte for byte the old JSON (JSON.stringify of the records), and never in the way of writes. */

import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, MAIN, ROOT, startService, tempHome } from "./helpers/barn.ts";
import { FrameReader, MAX_FRAME_BYTES, writeFrame } from "../src/protocol/framing.ts";
import { HomePaths } from "../src/platform/home_layout.ts";
import { COLUMNS, QUOTED_COLUMNS, toParams } from "../src/store/rows.ts";
import { Store } from "../src/store/store.ts";
import { awkwardJobs } from "./helpers/awkward_jobs.ts";

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

    // Without a service the stored state ends as quietly (it threw an uncaught BrokenPipe).
    assertEquals((await barn(home, ["service", "stop"])).code, 0);
    for (const format of ["json", "xml"]) {
      const child = statusChild(home, format);
      const r = child.stdout.getReader();
      await r.read();
      await r.cancel();
      assertEquals((await child.status).code, 141, format);
      assertEquals(await readAll(child.stderr), "barn: service not running; stored state\n");
    }
  } finally {
    await cleanupHome(home);
  }
});

/** Frames from a raw connection that names protocol `version` in its hello, as the service sends them. */
async function rawStatus(
  home: string,
  version: number,
  request: Record<string, unknown>,
): Promise<{ frames: Record<string, unknown>[]; text: Uint8Array[] }> {
  const conn = await Deno.connect({ transport: "unix", path: `${home}/barn.sock` });
  try {
    await writeFrame(conn, { kind: "hello", protocol: version, client_version: "test" });
    try {
      await writeFrame(conn, request);
    } catch (e) {
      // A hello the service refuses is answered and the connection closed, maybe before this write.
      if (!(e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset)) {
        throw e;
      }
    }
    const reader = new FrameReader(conn);
    const frames: Record<string, unknown>[] = [];
    const text: Uint8Array[] = [];
    for (;;) {
      const f = await reader.next() as Record<string, unknown> | null;
      if (f === null) return { frames, text };
      frames.push(f);
      if (f.stream === "text") text.push((await reader.nextBytes(f.bytes as number)).slice());
      else if (frames.length > 1 && !("stream" in f)) return { frames, text };
    }
  } finally {
    conn.close();
  }
}

Deno.test("the JSON listing is JSON.stringify of the records, byte for byte, whatever they hold; protocol 2 clients still get records", async () => {
  const home = tempHome("listing");
  try {
    await startService(home);
    const nasty = 'say "hi" \\ é 😀 \u2028 \u001b[0m\ttab';
    const specs = [
      { command: ["curl", nasty, "", "[]", "{}"], tag: nasty, name: "n1", timeout: 1.5 },
      { command: ["curl", "--version"], timeout: 3600, stall_timeout: "10m", tag: "t" },
      {
        command: ["ffprobe", "-i", "in.mp4"],
        meta: {
          [nasty]: [nasty, 0.1, 1e21, -7, null, true, { deep: [[], {}, [1, [2]]] }],
          empty: {},
          list: [],
          "10": "integer-like key",
        },
      },
    ].map((s) => JSON.stringify({ ...s, pending: "L" })).join("\n");
    const r = await barn(home, ["run", "--batch=-"], { stdin: specs });
    assertEquals(r.code, 0, r.stderr);
    // One ends: its row keeps its listing text, which the listings below print.
    const canceled = await barn(home, ["kill", "@n1"]);
    assertEquals(canceled.code, 0, canceled.stderr);
    // Rows no client submits: odd ids, REALs, exit codes of every kind (SQLite's own types).
    const db = new DatabaseSync(`${home}/barn.db`);
    const insert = db.prepare(
      `INSERT INTO jobs (${QUOTED_COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`,
    );
    for (const { job } of awkwardJobs()) {
      insert.run(...toParams({ ...job, created_at: "2020-01-01T00:00:00.000Z" }));
    }
    // A row edited by hand with valid JSON that JSON.stringify would spell otherwise.
    const edited = db.prepare("UPDATE jobs SET meta = ? WHERE tag = 't'")
      .run('{"a":1.0,"b":"\\u0041\\/","c":1E2,"a":-0}');
    assertEquals(edited.changes, 1);
    const kept = db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE listing IS NOT NULL").get();
    assertEquals(kept?.n, 1);
    db.close();
    const records = (filter: { tag?: string; limit?: number }) => {
      const store = Store.openReadOnly(new HomePaths(home))!;
      try {
        return store.list(filter);
      } finally {
        store.close();
      }
    };

    for (
      const [args, filter] of [[["--all"], {}], [["--limit=2"], { limit: 2 }], [["--tag="], {
        tag: "",
      }], [["--tag=nope"], { tag: "nope" }]] as const
    ) {
      const json = await barn(home, ["status", "--output=json", ...args]);
      assertEquals(json.code, 0, json.stderr);
      const want = JSON.stringify(records(filter), null, 2) + "\n";
      assertEquals(json.stdout, want, args.join(" "));
    }
    const all = await barn(home, ["status", "--output=json", "--all"]);
    assertEquals(JSON.parse(all.stdout).length, 3 + awkwardJobs().length);

    // On the wire: protocol 3 asks for text and gets it; protocol 2 gets records, and no text.
    const v3 = await rawStatus(home, 3, { kind: "status", filter: {}, text: "json" });
    assertEquals(v3.frames[0], {
      ok: true,
      protocol: 3,
      server_version: v3.frames[0]!.server_version,
    });
    assertEquals(v3.frames.at(-1), { ok: true, total: 3 + awkwardJobs().length });
    const bytes = v3.text.reduce((n, t) => n + t.length, 0);
    assertEquals(new TextDecoder().decode(concat(v3.text)), all.stdout);
    assertEquals(bytes, new TextEncoder().encode(all.stdout).length);
    const v2 = await rawStatus(home, 2, { kind: "status", filter: {} });
    assertEquals(v2.frames[0]?.protocol, 2);
    const jobs = v2.frames.filter((f) => f.stream === "jobs").flatMap((f) => f.jobs as unknown[]);
    assertEquals(JSON.stringify(jobs, null, 2) + "\n", all.stdout);
    const refused = await rawStatus(home, 2, { kind: "status", filter: {}, text: "json" });
    assertEquals((refused.frames.at(-1)?.error as { code: string }).code, "E_BAD_REQUEST");
    const old = await rawStatus(home, 1, { kind: "status", filter: {} });
    assertEquals((old.frames.at(-1)?.error as { code: string }).code, "E_PROTOCOL");

    // Without a service, the stored state read-only prints the same bytes.
    assertEquals((await barn(home, ["service", "stop"])).code, 0);
    const stored = await barn(home, ["status", "--output=json", "--all"]);
    assertEquals(stored.code, 0, stored.stderr);
    assertEquals(stored.stdout, all.stdout);
    const offline = await barn(home, ["--offline", "status", "--output=json", "--all"]);
    assertEquals(offline.stdout, all.stdout);
  } finally {
    await cleanupHome(home);
  }
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
