/**
 * Read-only commands without a service: status, describe and logs (no -f) read barn.db directly,
 * say so on stderr, never create or migrate a DB, and read safely beside a live writer (WAL).
 * Commands that change state still need the service.
 */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, startService, tempHome } from "./helpers/barn.ts";
import { haveTool } from "./helpers/tools.ts";

const NOTE = "barn: service not running; stored state\n";

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("no service, no DB: status shows no jobs and creates nothing", async () => {
  const parent = tempHome("ro-none");
  const home = `${parent}/never-made`;
  try {
    const r = await barn(home, ["status"]);
    assertEquals([r.code, r.stderr], [0, NOTE]);
    assertMatch(r.stdout, /^no jobs/);
    const d = await barn(home, ["describe", "abcd1234"]);
    assertEquals(d.code, 101, d.stderr);
    assert(!exists(home), "a read must not create BARN_HOME, let alone barn.db");
    const c = await barn(home, ["config", "show", "--output=json"]);
    assertEquals([c.code, c.json().path], [0, `${home}/config.json`]);
    assert(!exists(home));
  } finally {
    await cleanupHome(parent);
  }
});

Deno.test("no service: status, describe and logs read the stored state; changes still need the service", async () => {
  const home = tempHome("ro-read");
  try {
    const run = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "--tag=ro",
      "ffprobe",
      "-v",
      "error",
      "-version",
    ]);
    assertEquals(run.code, 0, run.stderr);
    const id = run.json().job_id as string;

    const st = await barn(home, ["status", "--output=json"]);
    assertEquals([st.code, st.stderr], [0, NOTE]);
    assertEquals(st.json().map((j: { job_id: string }) => j.job_id), [id]);
    const human = await barn(home, ["status", "--tag=ro"]);
    assertMatch(human.stdout, new RegExp(`${id}\\s+succeeded`));

    const d = await barn(home, ["describe", id.slice(0, 6), "--output=json"]);
    assertEquals([d.code, d.stderr, d.json().state], [0, NOTE, "succeeded"]);

    const l = await barn(home, ["logs", id, "--stdout", "-n", "1"]);
    assertEquals([l.code, l.stderr], [0, NOTE]);
    assertMatch(l.stdout, /^\S+/);

    for (
      const args of [["logs", "-f", id], ["kill", id], ["retry", id], ["run", "ffprobe", "-h"]]
    ) {
      const r = await barn(home, args);
      assertEquals(r.code, 100, `${args.join(" ")}: ${r.stderr}`);
      assertMatch(r.stderr, /E_NO_SERVICE/);
    }

    // With the service up, the same commands ask it, and say nothing about stored state.
    await startService(home);
    const up = await barn(home, ["status"]);
    assertEquals([up.code, up.stderr], [0, ""]);
    await barn(home, ["service", "stop"]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("no service: a DB of another schema is refused and left as it was", async () => {
  const home = tempHome("ro-schema");
  try {
    assertEquals((await barn(home, ["run", "--offline", "ffprobe", "-version"])).code, 0);
    const { DatabaseSync } = await import("node:sqlite");
    const setVersion = (v: number) => {
      const db = new DatabaseSync(`${home}/barn.db`);
      db.exec(`PRAGMA user_version = ${v}`);
      db.close();
    };
    const version = () => {
      const db = new DatabaseSync(`${home}/barn.db`, { readOnly: true });
      const v = (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
      db.close();
      return v;
    };
    const current = version();
    setVersion(current - 1);
    const old = await barn(home, ["status"]);
    assertEquals(old.code, 107, old.stderr);
    assertMatch(old.stderr, /older than this barn's .* never migrates it/);
    assertEquals(version(), current - 1, "a read must not migrate");
    setVersion(current + 5);
    const newer = await barn(home, ["status"]);
    assertMatch(newer.stderr, /E_SCHEMA_NEWER/);
    assertEquals(version(), current + 5);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test({
  name: "no service: status reads beside a live writer (sqlite3 holding a write transaction)",
  ignore: !haveTool("sqlite3"),
  async fn() {
    const home = tempHome("ro-wal");
    try {
      const run = await barn(home, ["run", "--offline", "--output=json", "ffprobe", "-version"]);
      const id = run.json().job_id as string;
      const writer = new Deno.Command("sqlite3", {
        args: [`${home}/barn.db`],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = writer.stdin.getWriter();
      const say = (sql: string) => w.write(new TextEncoder().encode(sql + "\n"));
      const out = writer.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const readUntil = async (mark: string) => {
        let text = "";
        while (!text.includes(mark)) {
          const { value, done } = await out.read();
          if (done) throw new Error(`sqlite3 ended before '${mark}': ${text}`);
          text += value;
        }
      };
      // The writer holds the write lock, with a change it has not committed.
      await say("PRAGMA busy_timeout = 5000;");
      await say(`BEGIN IMMEDIATE; UPDATE jobs SET tag = 'uncommitted' WHERE job_id = '${id}';`);
      await say("SELECT 'locked';");
      await readUntil("locked");

      const during = await barn(home, ["status", "--output=json"]);
      assertEquals(during.code, 0, during.stderr);
      assertEquals(during.json()[0].tag, null, "a reader sees the last commit, not the open write");

      await say("COMMIT; SELECT 'committed';");
      await readUntil("committed");
      const after = await barn(home, ["status", "--output=json"]);
      assertEquals(after.json()[0].tag, "uncommitted");
      await w.close();
      await writer.status;
      await out.cancel();
      await writer.stderr.cancel();
    } finally {
      await cleanupHome(home);
    }
  },
});
