/** The CLI as shipped: bad input, --offline runs with real ffprobe/ffmpeg/curl, output formats, prefixes. */

import { DatabaseSync } from "node:sqlite";
import { XMLParser } from "fast-xml-parser";
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, makeClip, ROOT, tempHome } from "./helpers/barn.ts";
import { JOB_FIELDS } from "../src/jobs/job.ts";

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("bad input: clear errors, exit 2, nothing written", async () => {
  const home = `${tempHome("bad")}/never`; // not created unless barn touches it
  try {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["stauts"], /did you mean `barn status`/],
      [["status", "--bogus"], /unknown option '--bogus'/],
      [["run"], /missing command/],
      [["run", "--tag"], /needs a value/],
      [["--output=yaml", "status"], /--output must be human, json or xml/],
      [["status", "--output=yaml"], /--output must be human, json or xml/],
      [["describe"], /missing job id/],
      [["describe", "ab"], /not a job id/],
      [["kill", "a-b-c-d"], /not a job id/],
      [["status", "--state=done"], /--state must be one of/],
    ];
    for (const [args, re] of cases) {
      const r = await barn(home, args);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assertMatch(r.stderr, re);
      assertMatch(r.stderr, /\[E_USAGE\]/);
    }
    assert(!exists(home), "a usage error created the home");
    const j = await barn(home, ["--output=json", "run"]);
    assertEquals([j.code, j.json().error.code], [2, "E_USAGE"]);
    const x = await barn(home, ["--output=xml", "frob"]);
    assertEquals(new XMLParser().parse(x.stdout).error.code, "E_USAGE");
  } finally {
    await cleanupHome(home.replace(/\/never$/, ""));
  }
});

Deno.test("commands off the allowlist are refused, nothing started", async () => {
  const home = tempHome("allow");
  try {
    for (
      const cmd of [["sh", "-c", "touch /tmp/barn/pwned"], ["/usr/bin/ffmpeg", "-version"], [
        "python3",
        "-V",
      ]]
    ) {
      const r = await barn(home, ["--offline", "--output=json", "run", ...cmd]);
      assertEquals(r.code, 126, r.stdout + r.stderr);
      assertEquals(r.json().error.code, "E_NOT_ALLOWED");
      assertMatch(r.json().error.message, /ffmpeg, ffprobe, curl/);
    }
    assert(!exists("/tmp/barn/pwned"));
    const s = await barn(home, ["--offline", "--output=json", "status"]);
    assertEquals(s.json(), []);
    Deno.writeTextFileSync(`${home}/config.json`, '{"allowed_commands": ["ffprobe"]}');
    const narrowed = await barn(home, ["--offline", "--output=json", "run", "curl", "--version"]);
    assertEquals([narrowed.code, narrowed.json().error.code], [126, "E_NOT_ALLOWED"]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("without a service, run fails fast with the reserved code and a hint", async () => {
  const home = tempHome("nosvc");
  try {
    const r = await barn(home, ["run", "curl", "--version"]);
    assertEquals(r.code, 100);
    assertMatch(r.stderr, /barn service is not running.*barn service start.*--offline/);
    // Reading is not a change: status answers from the (empty) stored state, and says so.
    const j = await barn(home, ["--output=json", "status"]);
    assertEquals([j.code, j.json(), j.stderr], [
      0,
      [],
      "barn: service not running; stored state\n",
    ]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("--offline ffprobe: the full record, the same from describe and status --output=xml", async () => {
  const home = tempHome("offline");
  try {
    const clip = await makeClip(`${home}/clip.mp4`, 1);
    const r = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "--tag=probe",
      "ffprobe",
      "-v",
      "error",
      "-of",
      "json",
      "-show_format",
      clip,
    ]);
    assertEquals(r.code, 0, r.stderr);
    const rec = r.json();
    for (const f of JOB_FIELDS) assert(f in rec, `missing field ${f}`);
    assertEquals([rec.state, rec.exit_code, rec.tag, rec.supervisor], [
      "succeeded",
      0,
      "probe",
      "offline",
    ]);
    assertMatch(rec.job_id, /^[0-9a-z]{12}$/);
    for (const f of ["created_at", "started_at", "finished_at", "heartbeat"]) {
      assertMatch(rec[f], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert(typeof rec.pid === "number");
    const probe = JSON.parse(Deno.readTextFileSync(rec.stdout_path));
    assertEquals(Number(probe.format.duration) > 0.9, true);
    // The job dir holds what a rebuild needs: the submission (job.json) and the end (exit.json).
    const snap = JSON.parse(Deno.readTextFileSync(`${rec.job_dir}/job.json`));
    assertEquals(snap, {
      ...rec,
      state: "queued",
      started_at: null,
      finished_at: null,
      exit_code: null,
      process_exit_code: null,
      pid: null,
      heartbeat: null,
      supervisor: null,
      supervisor_pid: null,
      // Submitted held for this client, so no service could have taken it before its start.
      latch: "offline",
    });
    assertEquals(rec.latch, null);
    const exit = JSON.parse(Deno.readTextFileSync(`${rec.job_dir}/exit.json`));
    assertEquals(
      [exit.job_id, exit.process_exit_code, exit.signal, exit.started_at, exit.pid],
      [rec.job_id, 0, null, rec.started_at, rec.pid],
    );

    const d = (await barn(home, ["--offline", "describe", rec.job_id.slice(0, 5), "--output=json"]))
      .json();
    for (const f of JOB_FIELDS) assertEquals(d[f], rec[f], `describe differs on ${f}`);
    const lines = Deno.readTextFileSync(rec.stdout_path).trimEnd().split("\n");
    assertEquals(d.stdout_tail, lines.slice(-10));

    const x = await barn(home, ["status", "--offline", "--output=xml", "--tag=probe"]);
    const doc = new XMLParser({ parseTagValue: false, isArray: (n) => n === "job" || n === "arg" })
      .parse(x.stdout);
    const xj = doc.jobs.job[0];
    assertEquals(xj.job_id, rec.job_id);
    assertEquals(xj.command.arg, rec.command);
    assertEquals([xj.state, xj.exit_code, xj.started_at, xj.finished_at, xj.pid], [
      rec.state,
      "0",
      rec.started_at,
      rec.finished_at,
      String(rec.pid),
    ]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("--offline ffmpeg transcode and curl failures pass their codes through", async () => {
  const home = tempHome("offline2");
  try {
    const clip = await makeClip(`${home}/clip.mp4`, 1);
    const out = `${home}/output/small.mp4`;
    const f = await barn(home, [
      "run",
      "--offline",
      "ffmpeg",
      "-v",
      "error",
      "-i",
      clip,
      "-vf",
      "scale=160:120",
      out,
    ]);
    assertEquals(f.code, 0, f.stdout + f.stderr);
    assert(Deno.statSync(out).size > 0);
    const c = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "curl",
      "-sS",
      "http://127.0.0.1:9/",
    ]);
    assertEquals(c.code, 7);
    assertEquals([c.json().state, c.json().exit_code, c.json().process_exit_code], [
      "failed",
      7,
      7,
    ]);
    assertMatch(
      Deno.readTextFileSync(c.json().stderr_path),
      /Failed to connect|Connection refused/,
    );
    // a command that cannot be found
    Deno.writeTextFileSync(`${home}/config.json`, "{}");
    const nf = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "ffprobe",
      "-i",
      `${home}/none.mp4`,
    ]);
    assertEquals([nf.code, nf.json().state], [1, "failed"]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("prefixes: unique prefix works, unknown and ambiguous ones are clear errors", async () => {
  const home = tempHome("prefix");
  try {
    const a = (await barn(home, ["run", "--offline", "--output=json", "curl", "--version"])).json();
    const d = await barn(home, ["--offline", "--output=json", "describe", a.job_id.slice(0, 4)]);
    assertEquals(d.json().job_id, a.job_id);
    const nf = await barn(home, ["--offline", "--output=json", "describe", "qqqq"]);
    assertEquals([nf.code, nf.json().error.code], [101, "E_NOT_FOUND"]);
    // Make two ids share a prefix, as can happen after many jobs.
    const db = new DatabaseSync(`${home}/barn.db`);
    const row = db.prepare("SELECT * FROM jobs").get() as Record<string, unknown>;
    for (const id of ["aaaa00000001", "aaaa00000002"]) {
      db.prepare(
        "INSERT INTO jobs (job_id, state, command, cwd, created_at, log_truncated) VALUES (?, 'succeeded', ?, ?, ?, 0)",
      )
        .run(id, row.command as string, row.cwd as string, row.created_at as string);
    }
    db.close();
    const amb = await barn(home, ["--offline", "describe", "aaaa"]);
    assertEquals(amb.code, 101);
    assertMatch(amb.stderr, /matches 2 jobs \(aaaa00000001, aaaa00000002\)/);
    assertEquals(
      (await barn(home, ["--offline", "--output=json", "describe", "aaaa00000002"])).json().job_id,
      "aaaa00000002",
    );
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("kill: a finished job is a clear error; clean removes finished jobs and says what", async () => {
  const home = tempHome("clean");
  try {
    const a = (await barn(home, ["run", "--offline", "--output=json", "curl", "--version"])).json();
    const b =
      (await barn(home, ["run", "--offline", "--output=json", "curl", "-s", "http://127.0.0.1:9/"]))
        .json();
    const k = await barn(home, ["--offline", "kill", a.job_id]);
    assertEquals(k.code, 102);
    assertMatch(k.stderr, /already finished \(succeeded\)/);
    const c = await barn(home, ["--offline", "--output=json", "clean"]);
    assertEquals(c.json().removed.map((j: { job_id: string }) => j.job_id), [a.job_id]);
    assert(!exists(a.job_dir) && exists(b.job_dir), "clean removed the wrong dirs");
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_age": "0s"}');
    const c2 = await barn(home, ["--offline", "clean"]);
    assertMatch(c2.stdout, new RegExp(`removed 1 job:\\n  ${b.job_id}  failed`));
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("unsafe homes are refused with the fix named", async () => {
  const base = tempHome("unsafe");
  try {
    const outside = await barn("/var/tmp/barn-elsewhere", ["--offline", "status"]);
    assertEquals(outside.code, 104);
    assertMatch(outside.stderr, /outside barn's sandbox root \/tmp\/barn.*docs\/security\.md/);
    assert(!exists("/var/tmp/barn-elsewhere"));

    Deno.mkdirSync(`${base}/real`, { mode: 0o700 });
    Deno.symlinkSync(`${base}/real`, `${base}/link`);
    const sym = await barn(`${base}/link`, ["--offline", "status"]);
    assertEquals(sym.code, 104);
    assertMatch(sym.stderr, /is a symlink/);

    Deno.mkdirSync(`${base}/open`, { mode: 0o755 });
    Deno.chmodSync(`${base}/open`, 0o755);
    const open = await barn(`${base}/open`, ["--offline", "status"]);
    assertMatch(open.stderr, /open to group or others \(mode 755\).*chmod 700/);

    Deno.writeTextFileSync(`${base}/file`, "x");
    assertMatch((await barn(`${base}/file`, ["--offline", "status"])).stderr, /not a directory/);

    Deno.mkdirSync(`${base}/theirs`, { mode: 0o700 });
    Deno.chownSync(`${base}/theirs`, 65534, 65534);
    const theirs = await barn(`${base}/theirs`, ["--offline", "status"]);
    assertEquals(theirs.code, 104);
    assertMatch(theirs.stderr, /owned by uid 65534/);

    // A component above the home is checked too.
    Deno.mkdirSync(`${base}/open/inner`, { mode: 0o700 });
    assertMatch(
      (await barn(`${base}/open/inner`, ["--offline", "status"])).stderr,
      /refusing to use .*\/open:/,
    );
  } finally {
    await cleanupHome(base);
  }
});

Deno.test("files are private even under umask 000", async () => {
  const home = tempHome("umask");
  try {
    const out = await new Deno.Command("/bin/sh", {
      args: [
        "-c",
        `umask 000; exec "$0" run -q -P=barn src/main.ts run --offline --output=json curl --version`,
        DENO, // the real file the permission set names
      ],
      cwd: ROOT,
      env: { BARN_HOME: `${home}/h` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const rec = JSON.parse(new TextDecoder().decode(out.stdout));
    const check = (p: string, want: number) =>
      assertEquals((Deno.statSync(p).mode! & 0o777).toString(8), want.toString(8), p);
    check(`${home}/h`, 0o700);
    check(`${home}/h/jobs`, 0o700);
    check(rec.job_dir, 0o700);
    check(`${home}/h/barn.db`, 0o600);
    for (const f of ["job.json", "stdout.log", "stderr.log", "exit.json", "supervisor.lock"]) {
      check(`${rec.job_dir}/${f}`, 0o600);
    }
  } finally {
    await cleanupHome(home);
  }
});
