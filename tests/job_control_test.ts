/** Job control against the real service: logs, wait, retry, timeouts, keys, listen, hold/release, filters. */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  barnChild,
  cleanupHome,
  connectedTo,
  pidAlive,
  ROOT,
  sineJob,
  startService,
  streamBarn,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";
import { startHttp } from "./helpers/http.ts";

// deno-lint-ignore no-explicit-any
type Rec = any;

const SINE = (s: number) => sineJob(s, "info");

async function submit(home: string, args: string[]): Promise<string> {
  const r = await barn(home, ["run", "--output=json", ...args]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  return r.json().job_id;
}

async function rec(home: string, id: string): Promise<Rec> {
  return (await barn(home, ["describe", id, "--output=json"])).json();
}

Deno.test("logs -f follows a running ffmpeg job and exits with its code", async () => {
  const home = tempHome("logsf");
  try {
    await startService(home);
    const ok = await submit(home, SINE(2));
    const f = await barn(home, ["logs", "-f", "--stderr", ok]);
    assertEquals(f.code, 0);
    assertMatch(f.stdout, /Stream #0:0.*Audio/);
    assertEquals((await rec(home, ok)).state, "succeeded");
    const bad = await submit(home, [
      "ffmpeg",
      "-v",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      "sine=duration=1",
      "-f",
      "nosuchformat",
      "-",
    ]);
    const fb = await barn(home, ["logs", "-f", bad]);
    assertEquals(fb.code, (await rec(home, bad)).exit_code);
    assert(fb.code !== 0);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("logs --tail on a 200 MB log reads only a small multiple of the tail (strace)", async () => {
  const home = tempHome("tail");
  const http = startHttp();
  try {
    Deno.writeTextFileSync(
      `${home}/config.json`,
      JSON.stringify({ max_log_bytes: 300 * 1024 * 1024 }),
    );
    await startService(home);
    const id = await submit(home, ["curl", "-sS", `${http.url}/big/200000000`]);
    const j = await waitFor(async () => {
      const r = await rec(home, id);
      return r.state === "succeeded" ? r : null;
    }, { timeoutMs: 60_000, what: "the 200 MB job" });
    assertEquals(Deno.statSync(j.stdout_path).size, 200_000_000);
    const { stdout, logBytesRead: bytes } = await tracedLogsTail(home, id, 5);
    assertEquals(new TextDecoder().decode(stdout).split("\n").filter((l) => l !== "").length, 5);
    assert(bytes > 0, "strace saw no reads of the log");
    assert(bytes <= 256 * 1024, `read ${bytes} bytes of the log for a 5-line tail`);
  } finally {
    await http.close();
    await cleanupHome(home);
  }
});

Deno.test("logs --tail on a capped log without newlines reads and prints at most its window (strace)", async () => {
  const home = tempHome("tailflat");
  try {
    await startService(home);
    // 19.2 MB of silence as raw samples: zero bytes, no newline, past the 16 MiB log cap.
    const id = await submit(home, [
      "ffmpeg",
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "anullsrc=r=48000:cl=mono",
      "-t",
      "200",
      "-f",
      "s16le",
      "-",
    ]);
    const j = await waitFor(async () => {
      const r = await rec(home, id);
      return r.state === "succeeded" ? r : null;
    }, { timeoutMs: 60_000, what: "the job writing 19.2 MB without a newline" });
    assertEquals(j.log_truncated, true);
    const size = Deno.statSync(j.stdout_path).size;
    assert(size > 14_000_000, `the capped log is only ${size} bytes`);
    const window = 5 * 16 * 1024; // README: N × 16 KiB, 64 KiB at least
    const { stdout, logBytesRead } = await tracedLogsTail(home, id, 5);
    assertEquals(stdout.length, window);
    assert(stdout.every((b) => b === 0), "the tail is not the log's last bytes");
    assert(logBytesRead >= window, `strace saw only ${logBytesRead} bytes read of the log`);
    assert(logBytesRead <= window, `read ${logBytesRead} bytes of a ${size}-byte log for --tail=5`);
  } finally {
    await cleanupHome(home);
  }
});

/** Runs `barn logs --stdout --tail=N id` under strace; returns what it printed and how much of stdout.log it read. */
async function tracedLogsTail(
  home: string,
  id: string,
  n: number,
): Promise<{ stdout: Uint8Array; logBytesRead: number }> {
  const trace = `${home}/strace-${n}.out`;
  const out = await new Deno.Command("strace", {
    args: [
      "-f",
      "-y",
      "-e",
      "trace=read,pread64",
      "-o",
      trace,
      `${ROOT}.deno/bin/deno`,
      "run",
      "-q",
      "-P=barn",
      `${ROOT}src/main.ts`,
      "logs",
      "--stdout",
      `--tail=${n}`,
      id,
    ],
    env: { BARN_HOME: home },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  let bytes = 0;
  for (const line of Deno.readTextFileSync(trace).split("\n")) {
    const m = /(?:read|pread64)\(\d+<([^>]*)>.*\)\s+=\s+(\d+)/.exec(line);
    if (m && m[1]!.endsWith("stdout.log")) bytes += Number(m[2]);
  }
  return { stdout: out.stdout, logBytesRead: bytes };
}

Deno.test("wait: success, a real code, a symbolic code, a timeout, and across a service restart", async () => {
  const home = tempHome("wait");
  try {
    await startService(home);
    const ok = await submit(home, ["curl", "--version"]);
    assertEquals((await barn(home, ["wait", ok])).code, 0);
    const refused = await submit(home, ["curl", "-sS", "http://127.0.0.1:9/"]);
    assertEquals((await barn(home, ["wait", refused])).code, 7);
    const long = await submit(home, SINE(30));
    const t = await barn(home, ["wait", long, "--timeout=1s", "--output=json"]);
    assertEquals(t.code, 103);
    assertEquals(t.json()[0].state, "running");
    const killer = barn(home, ["wait", long]);
    await barn(home, ["kill", long]);
    assertEquals((await killer).code, 130); // E_CANCELED
    assertEquals((await barn(home, ["wait", ok, refused])).code, 1);
    // across a restart: the service goes away under the waiting client and comes back
    const slow = await submit(home, SINE(4));
    const waiting = barnChild(home, ["wait", slow, "--output=json"]);
    await waitFor(() => connectedTo(waiting.pid, `${home}/barn.sock`), {
      what: "the waiting client to connect",
    });
    assertEquals((await barn(home, ["service", "restart"])).code, 0);
    const w = await waiting.result;
    assertEquals([w.code, w.json()[0].state], [0, "succeeded"]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("retry keeps the original's logs and sets retry_of", async () => {
  const home = tempHome("retry");
  try {
    await startService(home);
    const a = await submit(home, ["--tag=r", "curl", "-sS", "http://127.0.0.1:9/"]);
    await barn(home, ["wait", a]);
    const before = Deno.readTextFileSync((await rec(home, a)).stderr_path);
    assertMatch(before, /Failed to connect/);
    const r = await barn(home, ["retry", a, "--output=json"]);
    const b = r.json();
    assertEquals([b.retry_of, b.tag, b.command, b.key], [
      a,
      "r",
      (await rec(home, a)).command,
      null,
    ]);
    assert(b.job_id !== a);
    await barn(home, ["wait", b.job_id]);
    const orig = await rec(home, a);
    assertEquals([orig.state, orig.exit_code], ["failed", 7]);
    assertEquals(Deno.readTextFileSync(orig.stderr_path), before);

    // An unfinished job is not copied: a second run beside it would write the same outputs.
    const held = await submit(home, ["--pending=later", "--tag=held", "curl", "--version"]);
    const refused = await barn(home, ["retry", held, "--output=json"]);
    assertEquals([refused.code, refused.json().error.code], [102, "E_STATE"]);
    assertMatch(
      refused.json().error.message,
      /is queued, and a retry of it would run the command twice/,
    );
    const listed = await barn(home, ["status", "--tag=held", "--output=json"]);
    assertEquals(listed.json().map((j: { job_id: string }) => j.job_id), [held], "no copy");
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("--timeout kills a tree that ignores SIGTERM; nothing of it remains", async () => {
  const home = tempHome("timeout");
  const marker = `barn-fixture-${crypto.randomUUID()}`;
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"kill_grace": "1s"}');
    const r = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "--timeout=1s",
      "python3",
      `${ROOT}tests/fixtures/ignore_term.py`,
      marker,
    ], {
      permissionSet: "barn-test-hooks",
    });
    const j = r.json();
    assertEquals([r.code, j.state, j.exit_code, j.signal, j.process_exit_code], [
      124,
      "failed",
      "E_TIMEOUT",
      "SIGKILL",
      null,
    ]);
    assertMatch(Deno.readTextFileSync(j.stdout_path), /parent \d+ child \d+/);
    const [, parent, child] = /parent (\d+) child (\d+)/.exec(
      Deno.readTextFileSync(j.stdout_path),
    )!;
    await waitFor(() => !pidAlive(Number(parent)) && !pidAlive(Number(child)), {
      what: "the fixture tree to be gone",
      timeoutMs: 5000,
    });
    const ps = new TextDecoder().decode(
      (await new Deno.Command("ps", { args: ["-eo", "stat=,args="], stdout: "piped" }).output())
        .stdout,
    );
    assertEquals(ps.split("\n").filter((l) => l.includes(marker) && !l.startsWith("Z")), []);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("--key under 20 concurrent submissions gives exactly one job", async () => {
  const home = tempHome("key");
  try {
    await startService(home);
    const rs = await Promise.all(
      Array.from(
        { length: 20 },
        () => barn(home, ["run", "--output=json", "--key=k-1", "curl", "--version"]),
      ),
    );
    for (const r of rs) assertEquals(r.code, 0, r.stderr);
    const ids = new Set(rs.map((r) => r.json().job_id));
    assertEquals(ids.size, 1);
    assertEquals(rs.filter((r) => r.json().duplicate === true).length, 19);
    assertEquals(rs.find((r) => !r.json().duplicate)!.json().key, "k-1");
    const all = (await barn(home, ["status", "--output=json"])).json();
    assertEquals(all.length, 1);
    const human = await barn(home, ["run", "--key=k-1", "curl", "--version"]);
    assertMatch(human.stdout, /existing job with key 'k-1'/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("listen: queued → running → succeeded in order; --since resumes across a restart, nothing lost or repeated", async () => {
  const home = tempHome("listen");
  try {
    await startService(home);
    const listener = streamBarn(home, ["listen", "--output=json", "--since=0"]);
    const lines: Rec[] = listener.lines;
    const a = await submit(home, ["curl", "--version"]);
    await waitFor(() => lines.filter((l) => l.job_id === a).length === 3, {
      what: "a's three events",
    });
    assertEquals(lines.filter((l) => l.job_id === a).map((l) => l.state), [
      "queued",
      "running",
      "succeeded",
    ]);
    assertEquals((await barn(home, ["service", "restart"])).code, 0);
    const b = await submit(home, ["curl", "--version"]);
    await waitFor(() => lines.filter((l) => l.job_id === b).length === 3, {
      what: "b's events after the restart",
    });
    const seqs = lines.map((l) => l.seq);
    assertEquals(seqs, [...new Set(seqs)].sort((x, y) => x - y), "events repeated or out of order");
    assertEquals(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), "an event was lost");
    // A fresh listener resuming from a sequence number sees exactly what came after it.
    const resumed = streamBarn(home, ["listen", "--output=json", "--since=3"]);
    await waitFor(() => resumed.lines.length >= seqs.length - 3, {
      what: "the resumed listener's events",
    });
    assertEquals(resumed.lines.map((l) => l.seq), seqs.slice(3));
    await resumed.stop();
    await listener.stop();
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("listen across a DB rebuild: the epoch changes, the old --since is void, the new epoch replays from its start", async () => {
  const home = tempHome("epoch");
  try {
    await startService(home);
    const listener = streamBarn(home, ["listen", "--output=json", "--since=0"]);
    const lines: Rec[] = listener.lines;
    const a = await submit(home, ["--pending=E", "curl", "--version"]);
    const b = await submit(home, ["--pending=E", "curl", "--version"]);
    await waitFor(() => lines.length === 2, { what: "two queued events" });
    const first = lines[0].epoch;
    assertMatch(first, /^[0-9a-f]{16}$/);
    assertEquals(lines.map((l) => [l.seq, l.epoch]), [[1, first], [2, first]]);
    // A damaged DB is rebuilt from the job dirs: the sequence restarts under a new epoch.
    assertEquals((await barn(home, ["service", "stop"])).code, 0);
    const db = Deno.readFileSync(`${home}/barn.db`);
    for (let i = 100; i < db.length; i++) db[i] = 0x5a;
    Deno.writeFileSync(`${home}/barn.db`, db);
    try {
      Deno.removeSync(`${home}/barn.db-wal`);
    } catch { /* none */ }
    await startService(home);
    // The listener resumes with since=2 under the old epoch: a number-only resume would skip
    // the rebuilt events 1 and 2; the epoch makes the service replay them.
    await waitFor(() => lines.length === 4, { what: "the rebuilt epoch's events" });
    const second = lines[2].epoch;
    assert(second !== first, "a rebuilt DB has a new epoch");
    assertEquals(lines.slice(2).map((l) => [l.seq, l.epoch]), [[1, second], [2, second]]);
    assertEquals(lines.slice(2).map((l) => l.job_id).sort(), [a, b].sort());
    // A resume under the current epoch is by number, as before.
    const resumed = streamBarn(home, [
      "listen",
      "--output=json",
      "--since=1",
      `--epoch=${second}`,
    ]);
    const c = await submit(home, ["--pending=E", "curl", "--version"]);
    await waitFor(() => resumed.lines.length === 2, { what: "the resumed events" });
    assertEquals(resumed.lines.map((l) => [l.seq, l.job_id]), [[2, lines[3].job_id], [3, c]]);
    await resumed.stop();
    await listener.stop();
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("hold/release: held jobs wait queued until released, then run", async () => {
  const home = tempHome("latch");
  try {
    await startService(home);
    const a = await submit(home, ["--pending=L", "curl", "--version"]);
    const b = await submit(home, ["--pending=L", "curl", "--version"]);
    const c = await submit(home, ["--pending=other", "curl", "--version"]);
    const free = await submit(home, ["curl", "--version"]);
    // The queue is FIFO: had a held job been startable, it would have started before `free`.
    await barn(home, ["wait", free]);
    for (const id of [a, b, c]) {
      const j = await rec(home, id);
      assertEquals([j.state, j.started_at, j.latch], ["queued", null, id === c ? "other" : "L"]);
    }
    const rel = await barn(home, ["release", "L", "--output=json"]);
    assertEquals(rel.json().map((j: Rec) => j.job_id).sort(), [a, b].sort());
    assertEquals((await barn(home, ["wait", a, b])).code, 0);
    assertEquals([(await rec(home, a)).latch, (await rec(home, c)).state], [null, "queued"]);
    const none = await barn(home, ["release", "nothing", "--output=json"]);
    assertEquals(none.json(), []);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("status filters on 100k jobs: right rows, and the plan uses an index", async () => {
  const home = tempHome("filters");
  try {
    const { prepareHome } = await import("../src/platform/home_layout.ts");
    const { Store } = await import("../src/store/store.ts");
    const { listQuery } = await import("../src/store/rows.ts");
    const store = Store.open(prepareHome(home));
    // Seed through the store's own SQL, in big transactions (no job dirs: this is about the index).
    const states = ["succeeded", "failed", "canceled", "succeeded", "queued"];
    store.tx(() => {
      const ins = store.db.raw.prepare(
        "INSERT INTO jobs (job_id, state, tag, command, cwd, created_at, log_truncated) VALUES (?, ?, ?, ?, ?, ?, 0)",
      );
      const t0 = Date.parse("2026-01-01T00:00:00Z");
      for (let i = 0; i < 100_000; i++) {
        ins.run(
          `s${String(i).padStart(11, "0")}`,
          states[i % 5]!,
          `t${i % 100}`,
          '["curl","--version"]',
          "/",
          new Date(t0 + i * 1000).toISOString(),
        );
      }
    });
    for (
      const f of [{ state: "failed" as const }, { tag: "t7" }, {
        since: "2026-01-02T00:00:00.000Z",
      }, { state: "queued" as const, limit: 10 }]
    ) {
      const q = listQuery(f);
      const plan = store.db.raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params)
        .map((r) => String(r.detail)).join(" | ");
      assertMatch(plan, /USING (COVERING )?INDEX jobs_/, `${JSON.stringify(f)}: ${plan}`);
      assert(!/SCAN jobs(?! USING)/.test(plan), `${JSON.stringify(f)} scans the table: ${plan}`);
    }
    store.close();
    const count = async (args: string[]) =>
      (await barn(home, ["status", "--offline", "--output=json", ...args])).json();
    assertEquals((await count(["--state=failed", "--all"])).length, 20_000);
    const t7 = await count(["--tag=t7", "--all"]);
    assertEquals(t7.length, 1000);
    assert(t7.every((j: Rec) => j.tag === "t7"));
    const lim = await count(["--state=queued", "--limit=10"]);
    assertEquals([lim.length, lim[0].job_id], [10, "s00000099999"]);
    const since = await count(["--since=2026-01-02T03:46:39Z", "--all"]);
    assertEquals(since.map((j: Rec) => j.job_id), ["s00000099999"]);
    const def = await barn(home, ["status", "--offline"]);
    assertMatch(def.stderr, /showing the newest 100 of 100000 jobs/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("listen --progress streams live progress of a running ffmpeg job", async () => {
  const home = tempHome("listenp");
  try {
    await startService(home);
    const { makeClip } = await import("./helpers/barn.ts");
    const clip = await makeClip(`${home}/input/c.mp4`, 3);
    const listener = streamBarn(home, ["listen", "--progress", "--output=json"]);
    const events: Rec[] = listener.lines;
    // Progress is not stored: the listener must be streaming before the job starts. It is
    // once it shows a marker job's end.
    const marker = await submit(home, ["curl", "--version"]);
    await waitFor(() => events.some((e) => e.job_id === marker && e.state === "succeeded"), {
      what: "the listener to stream",
    });
    const id = await submit(home, ["ffmpeg", "-y", "-re", "-i", clip, "-f", "null", "-"]);
    await waitFor(() => events.some((e) => e.job_id === id && e.state === "succeeded"), {
      what: "the job to end",
    });
    const prog = events.filter((e) => e.job_id === id && e.state === "progress");
    assert(prog.length >= 1, JSON.stringify(events));
    assertEquals(prog[0].seq, null);
    assertEquals(typeof prog[prog.length - 1].progress.percent, "number");
    await listener.stop();
  } finally {
    await cleanupHome(home);
  }
});
