/** The service as a real subprocess under the shipped permission set: lifecycle, crashes, recovery, queue. */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  cleanupHome,
  pidAlive,
  sineJob,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";
import { startHttp } from "./helpers/http.ts";
import { PROTOCOL_VERSION } from "../src/protocol/messages.ts";

// deno-lint-ignore no-explicit-any
type Rec = any;

async function status(home: string): Promise<Rec> {
  const r = await barn(home, ["service", "status", "--output=json"]);
  return r.json();
}

async function job(home: string, id: string): Promise<Rec> {
  return (await barn(home, ["describe", id, "--output=json", "--offline"])).json();
}

async function submit(home: string, args: string[]): Promise<string> {
  const r = await barn(home, ["run", "--output=json", ...args]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  return r.json().job_id;
}

async function finished(home: string, id: string, timeoutMs = 30_000): Promise<Rec> {
  return await waitFor(async () => {
    const j = await job(home, id);
    return ["succeeded", "failed", "canceled"].includes(j.state) ? j : null;
  }, { timeoutMs, what: `job ${id} to finish` });
}

async function running(home: string, id: string): Promise<Rec> {
  return await waitFor(async () => {
    const j = await job(home, id);
    return j.state === "running" && j.pid ? j : null;
  }, { what: `job ${id} to run` });
}

Deno.test("service lifecycle: start, already running, status, stop, restart", async () => {
  const home = tempHome("life");
  try {
    const down = await barn(home, ["service", "status", "--output=json"]);
    assertEquals([down.code, down.json().state], [100, "down"]);
    const t0 = Date.now();
    await startService(home);
    const again = await barn(home, ["service", "start"]);
    assertEquals(again.code, 0);
    assertMatch(again.stdout, /already running/);
    const s = await status(home);
    assertEquals([s.state, s.home, s.endpoint, s.version], [
      "up",
      home,
      `${home}/barn.sock`,
      "0.1.0",
    ]);
    assert(pidAlive(s.pid));
    // A fresh home: no jobs, and no keeper until a job needs one.
    assertEquals(s.jobs, { queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 });
    assertEquals([s.keeper.state, s.keeper.pid, s.keeper.jobs], ["down", null, 0]);
    assert(
      Number.isInteger(s.uptime_seconds) && s.uptime_seconds >= 0 &&
        s.uptime_seconds <= Math.ceil((Date.now() - t0) / 1000),
      `uptime ${s.uptime_seconds} s for a service started ${Date.now() - t0} ms ago`,
    );
    assertEquals(s.max_parallel, null); // no overall cap unless config sets one: groups' limits apply
    assertEquals(Date.parse(s.started_at) >= t0 - 1000, true);
    const xml = await barn(home, ["service", "status", "--output=xml"]);
    assertMatch(xml.stdout, /<service>[\s\S]*<state>up<\/state>/);
    const r = await barn(home, ["service", "restart"]);
    assertEquals(r.code, 0, r.stderr);
    const s2 = await status(home);
    assert(s2.pid !== s.pid && !pidAlive(s.pid));
    assertEquals((await barn(home, ["service", "stop"])).code, 0);
    assertEquals((await barn(home, ["service", "status"])).code, 100);
    const logs = await barn(home, ["service", "logs", "-n", "3"]);
    assertMatch(logs.stdout, /stopped; running jobs keep running/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("jobs outlive a SIGKILLed service: exact exit codes, ending while down or after restart", async () => {
  const home = tempHome("crash");
  const http = startHttp();
  try {
    await startService(home);
    const cases: [string, string[], number][] = [
      ["ok", ["curl", "-sS", `${http.url}/delay/1500/200`], 0],
      ["refused", [
        "curl",
        "-sS",
        "--retry",
        "2",
        "--retry-delay",
        "1",
        "--retry-connrefused",
        "http://127.0.0.1:9/",
      ], 7],
      ["http", ["curl", "-sSf", `${http.url}/delay/1500/404`], 22],
      ["timeout", ["curl", "-sS", "--max-time", "2", `http://127.0.0.1:${http.silentPort}/`], 28],
    ];
    // Round 1: the jobs end while no service runs. Round 2: they end after it is back.
    for (const round of ["down", "up"]) {
      const ids: string[] = [];
      for (const [name, cmd] of cases) {
        ids.push(await submit(home, [`--tag=${round}-${name}`, ...cmd]));
      }
      for (const id of ids) await running(home, id);
      const svc = await status(home);
      Deno.kill(svc.pid, "SIGKILL");
      await waitFor(() => !pidAlive(svc.pid), { what: "service to die" });
      if (round === "down") {
        await waitFor(() =>
          ids.every((id) => {
            try {
              return Deno.statSync(`${home}/jobs/${id}/exit.json`).isFile;
            } catch {
              return false;
            }
          }), { what: "all exits recorded by the supervisor", timeoutMs: 20_000 });
      }
      await startService(home);
      for (let i = 0; i < cases.length; i++) {
        const j = await finished(home, ids[i]!);
        assertEquals([j.tag, j.exit_code, j.process_exit_code], [
          `${round}-${cases[i]![0]}`,
          cases[i]![2],
          cases[i]![2],
        ]);
        assertEquals(j.state, cases[i]![2] === 0 ? "succeeded" : "failed");
      }
    }
  } finally {
    await http.close();
    await cleanupHome(home);
  }
});

Deno.test("a SIGKILLed supervisor: its job ends E_INTERRUPTED and no process of it is left", async () => {
  const home = tempHome("superkill");
  try {
    await startService(home);
    const id = await submit(home, sineJob(60));
    const j = await running(home, id);
    const s = await status(home);
    assert(s.keeper.pid, "keeper pid unknown");
    Deno.kill(s.keeper.pid, "SIGKILL");
    const done = await finished(home, id);
    assertEquals([done.state, done.exit_code], ["failed", "E_INTERRUPTED"]);
    assertMatch(done.error, /supervisor died/);
    await waitFor(() => !pidAlive(j.pid), {
      what: "the orphaned ffmpeg to be gone",
      timeoutMs: 10_000,
    });
    // The service starts a new keeper for the next job.
    const next = await submit(home, ["curl", "--version"]);
    assertEquals((await finished(home, next)).state, "succeeded");
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a record pointing at an unrelated live process is never signalled", async () => {
  const home = tempHome("unrelated");
  // A session leader of its own, the most job-like bystander there is.
  const bystander = new Deno.Command("sleep", {
    args: ["30"],
    detached: true,
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const id =
      (await barn(home, ["run", "--offline", "--output=json", "curl", "--version"])).json().job_id;
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${home}/barn.db`);
    db.prepare(
      "UPDATE jobs SET state = 'running', finished_at = NULL, exit_code = NULL, pid = ?, started_at = ?, supervisor = 'keeper' WHERE job_id = ?",
    ).run(bystander.pid, new Date(Date.now() - 3600_000).toISOString(), id);
    db.close();
    Deno.removeSync(`${home}/jobs/${id}/exit.json`);
    await startService(home);
    const done = await finished(home, id);
    assertEquals(done.exit_code, "E_INTERRUPTED");
    assertMatch(done.error, /unrelated process, which was left alone/);
    assert(pidAlive(bystander.pid), "barn signalled an unrelated process");
  } finally {
    bystander.kill("SIGKILL");
    await bystander.status;
    await cleanupHome(home);
  }
});

Deno.test("stop and start: running jobs keep running and are re-adopted", async () => {
  const home = tempHome("adopt");
  try {
    await startService(home);
    const id = await submit(home, sineJob(4));
    const j = await running(home, id);
    assertEquals((await barn(home, ["service", "stop"])).code, 0);
    assert(pidAlive(j.pid), "stopping the service killed the job");
    await startService(home);
    const logs = await barn(home, ["service", "logs", "-n", "20"]);
    assertMatch(logs.stdout, /1 running jobs re-adopted/);
    const done = await finished(home, id);
    assertEquals([done.state, done.exit_code, done.pid], ["succeeded", 0, j.pid]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("20 concurrent service starts leave exactly one service; stale locks don't block", async () => {
  const home = tempHome("race");
  try {
    // A stale pid file and lock from a dead service, holding an unrelated live pid.
    Deno.writeTextFileSync(
      `${home}/service.json`,
      JSON.stringify({ pid: 1, started_at: "2020-01-01T00:00:00Z" }),
    );
    Deno.writeTextFileSync(`${home}/service.lock`, "");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => barn(home, ["service", "start", "--output=json"])),
    );
    for (const r of results) assertEquals(r.code, 0, r.stdout + r.stderr);
    const pids = new Set(results.map((r) => r.json().pid));
    assertEquals(pids.size, 1, `clients saw ${pids.size} different services`);
    const services = async () => {
      const ps = new TextDecoder().decode(
        (await new Deno.Command("ps", { args: ["-eo", "pid=,args="], stdout: "piped" }).output())
          .stdout,
      );
      return ps.split("\n").filter((l) => l.includes("service run")).map((l) =>
        Number(l.trim().split(/\s+/)[0])
      )
        .filter((pid) => {
          try {
            return pidAlive(pid) &&
              Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0").includes(
                `BARN_HOME=${home}`,
              );
          } catch {
            return false;
          }
        });
    };
    // The losers see a live service and exit.
    await waitFor(async () => (await services()).length === 1, {
      what: "the losing services to exit",
    });
    assertEquals(await services(), [...pids]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("50 concurrent clients submit; max_parallel holds under load", async () => {
  const home = tempHome("load");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 2}');
    await startService(home);
    const subs = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => barn(home, ["run", "--output=json", `--tag=t${i % 5}`, "curl", "--version"]),
      ),
    );
    for (const r of subs) assertEquals(r.code, 0, r.stdout + r.stderr);
    const ids = subs.map((r) => r.json().job_id);
    assertEquals(new Set(ids).size, 50);
    const slow = [];
    for (let i = 0; i < 6; i++) {
      slow.push(
        await submit(home, [
          "--tag=slow",
          ...sineJob(1),
        ]),
      );
    }
    let maxSeen = 0;
    await waitFor(async () => {
      const s = await status(home);
      maxSeen = Math.max(maxSeen, s.jobs.running);
      return s.jobs.succeeded === 56;
    }, { timeoutMs: 60_000, what: "all 56 jobs to succeed" });
    assert(maxSeen <= 2, `saw ${maxSeen} running at once`);
    // From the records themselves: no instant had more than 2 slow jobs running.
    const recs = (await barn(home, ["status", "--tag=slow", "--output=json"])).json();
    const edges = recs.flatMap((
      j: Rec,
    ) => [[Date.parse(j.started_at), 1], [Date.parse(j.finished_at), -1]])
      .sort((a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]!);
    let cur = 0, peak = 0;
    for (const [, d] of edges) peak = Math.max(peak, cur += d);
    assert(peak <= 2, `records overlap ${peak} deep`);
    // FIFO: slow jobs started in submission order.
    const started = slow.map((id) => recs.find((j: Rec) => j.job_id === id).started_at);
    assertEquals([...started].sort(), started);
  } finally {
    await cleanupHome(home);
  }
});

async function rawExchange(
  sock: string,
  bytes: Uint8Array,
): Promise<{ frames: Rec[]; closed: boolean }> {
  const conn = await Deno.connect({ transport: "unix", path: sock });
  try {
    await conn.write(bytes);
    const { FrameReader } = await import("../src/protocol/framing.ts");
    const reader = new FrameReader(conn);
    const frames: Rec[] = [];
    for (;;) {
      const f = await Promise.race([
        reader.next(),
        new Promise((r) => setTimeout(() => r("timeout"), 5000)),
      ]);
      if (f === "timeout") return { frames, closed: false };
      if (f === null) return { frames, closed: true };
      frames.push(f);
    }
  } catch {
    return { frames: [], closed: true };
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

function frame(obj: unknown): Uint8Array {
  const body = new TextEncoder().encode(typeof obj === "string" ? obj : JSON.stringify(obj));
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

Deno.test("malformed input never crashes the service; idle connections don't block clients", async () => {
  const home = tempHome("proto");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, "{}");
    await startService(home);
    const pid = (await status(home)).pid;
    const sock = `${home}/barn.sock`;
    const hello = frame({ kind: "hello", protocol: PROTOCOL_VERSION, client_version: "test" });
    const cat = (...p: Uint8Array[]) => {
      const o = new Uint8Array(p.reduce((n, x) => n + x.length, 0));
      let i = 0;
      for (const x of p) o.set(x, i), i += x.length;
      return o;
    };
    const expectError = async (bytes: Uint8Array, code: string) => {
      const r = await rawExchange(sock, bytes);
      const last = r.frames[r.frames.length - 1];
      assertEquals(last?.ok, false, JSON.stringify(r.frames));
      assertEquals(last.error.code, code);
      assertEquals(typeof last.error.message, "string");
      assert(r.closed, "connection stayed open after a bad frame");
    };
    await expectError(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]), "E_FRAME_TOO_LARGE");
    await expectError(cat(hello, new Uint8Array([0xff, 0xff, 0xff, 0xff])), "E_FRAME_TOO_LARGE");
    await expectError(cat(hello, frame("this is not json")), "E_BAD_REQUEST");
    await expectError(cat(hello, frame({ kind: "launch_missiles" })), "E_BAD_REQUEST");
    await expectError(cat(hello, frame({ kind: "describe", id: 42 })), "E_BAD_REQUEST");
    await expectError(cat(hello, frame("[".repeat(5000) + "]".repeat(5000))), "E_BAD_REQUEST");
    await expectError(frame({ kind: "status", filter: {} }), "E_PROTOCOL"); // no handshake
    await expectError(frame({ kind: "hello", protocol: 999, client_version: "x" }), "E_PROTOCOL");
    // Random bytes as a first message: their header claims 1–16 MiB, over the handshake's cap.
    const junk = crypto.getRandomValues(new Uint8Array(64));
    junk[0] = 0;
    junk[1]! |= 0x10;
    await expectError(junk, "E_FRAME_TOO_LARGE");
    // truncated frame: the peer disappears mid-frame
    const c = await Deno.connect({ transport: "unix", path: sock });
    await c.write(cat(hello, frame({ kind: "status", filter: {} }).subarray(0, 10)));
    c.close();
    // hundreds of idle connections, while a real client is still served
    const idle: Deno.Conn[] = [];
    for (let i = 0; i < 300; i++) idle.push(await Deno.connect({ transport: "unix", path: sock }));
    const r = await barn(home, ["status", "--output=json"]);
    assertEquals(r.code, 0, r.stderr);
    for (const x of idle) x.close();
    const s = await status(home);
    assertEquals([s.state, s.pid], ["up", pid]); // the same service: it never restarted
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("socket, db and logs are private under umask 000", async () => {
  const home = tempHome("perm");
  try {
    const out = await new Deno.Command("/bin/sh", {
      args: [
        "-c",
        'umask 000; exec "$0" run -q -P=barn src/main.ts service start',
        `${Deno.cwd()}/.deno/bin/deno`,
      ],
      env: { BARN_HOME: `${home}/h` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    await barn(`${home}/h`, ["run", "curl", "--version"]);
    const mode = (p: string) => (Deno.statSync(p).mode! & 0o777).toString(8);
    assertEquals(mode(`${home}/h`), "700");
    assertEquals(mode(`${home}/h/barn.sock`), "600");
    assertEquals(mode(`${home}/h/barn.db`), "600");
    assertEquals(mode(`${home}/h/logs/service.log`), "600");
    assertEquals(mode(`${home}/h/logs`), "700");
    await waitFor(() => {
      try {
        return mode(`${home}/h/barn.db-wal`) === "600";
      } catch {
        return false;
      }
    }, { what: "the WAL file" });
  } finally {
    // The service's home is h: stopped there first, or its last writes bring h back after cleanup.
    await cleanupHome(`${home}/h`);
    await cleanupHome(home);
  }
});

Deno.test("a damaged DB is moved aside and rebuilt from the job dirs", async () => {
  const home = tempHome("corrupt");
  try {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await barn(home, [
          "run",
          "--offline",
          "--output=json",
          `--tag=c${i}`,
          "curl",
          "--version",
        ])).json().job_id,
      );
    }
    // Damage every page after the header.
    const db = Deno.readFileSync(`${home}/barn.db`);
    for (let i = 100; i < db.length; i++) db[i] = 0x5a;
    Deno.writeFileSync(`${home}/barn.db`, db);
    try {
      Deno.removeSync(`${home}/barn.db-wal`);
    } catch { /* none */ }
    await startService(home);
    const aside = [...Deno.readDirSync(home)].filter((e) => e.name.startsWith("barn.db.corrupt-"));
    assertEquals(aside.length, 1);
    const list = (await barn(home, ["status", "--output=json"])).json();
    assertEquals(list.map((j: Rec) => j.job_id).sort(), [...ids].sort());
    assertEquals(list.every((j: Rec) => j.state === "succeeded"), true);
    const logs = await barn(home, ["service", "logs", "-n", "20"]);
    assertMatch(logs.stdout, /barn.db was damaged.*rebuilt 3 jobs/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("reload: a new limit applies, a bad config is refused and the old one stays", async () => {
  const home = tempHome("reload");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 1}');
    await startService(home);
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 3}');
    const ok = await barn(home, ["service", "reload", "--output=json"]);
    // max_parallel is also the limit of every group config does not name (README, Configuration).
    assertEquals(ok.json().changed, ["max_parallel", "groups"]);
    assertEquals((await status(home)).max_parallel, 3);
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": "lots"}');
    const bad = await barn(home, ["service", "reload"]);
    assertEquals(bad.code, 105);
    assertMatch(bad.stderr, /max_parallel/);
    assertEquals((await status(home)).max_parallel, 3);
    // SIGHUP reloads too.
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 2}');
    Deno.kill((await status(home)).pid, "SIGHUP");
    await waitFor(async () => (await status(home)).max_parallel === 2, { what: "SIGHUP reload" });
    // A new socket needs a new process: soft restart, jobs keep running.
    const id = await submit(home, sineJob(3));
    const before = await running(home, id);
    const oldPid = (await status(home)).pid;
    Deno.writeTextFileSync(
      `${home}/config.json`,
      '{"max_parallel": 2, "socket_name": "other.sock"}',
    );
    const re = await barn(home, ["service", "reload", "--output=json"]);
    assertEquals(re.json().restarted, true);
    const s = await waitFor(async () => {
      const x = await status(home);
      return x.state === "up" && x.pid !== oldPid ? x : null;
    }, { what: "the new service" });
    assertEquals(s.endpoint, `${home}/other.sock`);
    const done = await finished(home, id);
    assertEquals([done.state, done.pid], ["succeeded", before.pid]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a job writing far more than max_log_bytes keeps head and tail and sets log_truncated", async () => {
  const home = tempHome("logcap");
  const http = startHttp();
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_log_bytes": 65536}');
    await startService(home);
    const id = await submit(home, ["curl", "-sS", `${http.url}/big/5000000`]);
    const j = await finished(home, id);
    assertEquals([j.state, j.log_truncated], ["succeeded", true]);
    const size = Deno.statSync(j.stdout_path).size;
    assert(size <= 65536 + 200, `log is ${size} bytes`);
    const text = Deno.readTextFileSync(j.stdout_path);
    assert(text.startsWith("0123456789abcde\n"));
    assertMatch(text, /\[barn: log truncated here, \d+ bytes cut; the tail follows\]/);
  } finally {
    await http.close();
    await cleanupHome(home);
  }
});

Deno.test("kill: queued jobs cancel without starting; running trees get TERM; --kill-jobs", async () => {
  const home = tempHome("kill");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 1}');
    await startService(home);
    const a = await submit(home, sineJob(60));
    const b = await submit(home, ["curl", "--version"]);
    const ra = await running(home, a);
    const kb = (await barn(home, ["kill", b, "--output=json"])).json();
    assertEquals([kb.state, kb.exit_code, kb.started_at, kb.pid], [
      "canceled",
      "E_CANCELED",
      null,
      null,
    ]);
    // Kill only once ffmpeg reports progress: before that it may not have installed its TERM handler.
    await waitFor(async () => (await job(home, a)).progress !== null, {
      what: "ffmpeg's first progress",
    });
    const ka = (await barn(home, ["kill", a.slice(0, 6), "--output=json"])).json();
    assertEquals([ka.state, ka.exit_code], ["canceled", "E_CANCELED"]);

    // ffmpeg traps SIGTERM and exits 255; the record keeps what the process really did.
    assertEquals([ka.process_exit_code, ka.signal], [255, null]);
    assert(!pidAlive(ra.pid));
    const c = await submit(home, sineJob(60));
    const d = await submit(home, ["curl", "--version"]);
    const rc = await running(home, c);
    assertEquals((await barn(home, ["service", "stop", "--kill-jobs"])).code, 0);
    assertEquals((await job(home, c)).state, "canceled");
    assertEquals((await job(home, d)).state, "canceled");
    assert(!pidAlive(rc.pid));
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("running out of file descriptors (EMFILE) never kills the accept loop", async () => {
  const home = tempHome("emfile");
  try {
    await startService(home);
    const pid = (await status(home)).pid;
    // Squeeze the live service to a handful of descriptors, then flood it with connections.
    const lim = await new Deno.Command("prlimit", {
      args: ["--pid", String(pid), "--nofile=40:40"],
    }).output();
    assert(lim.success, "prlimit failed");
    const conns: Deno.Conn[] = [];
    for (let i = 0; i < 80; i++) {
      conns.push(await Deno.connect({ transport: "unix", path: `${home}/barn.sock` }));
    }
    await waitFor(
      async () =>
        /Too many open files/.test((await barn(home, ["service", "logs", "-n", "50"])).stdout),
      {
        what: "the service to hit EMFILE",
      },
    );
    for (const c of conns) c.close();
    const r = await barn(home, ["run", "--output=json", "curl", "--version"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals((await status(home)).pid, pid);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a full disk never kills a job or the service", async () => {
  const home = tempHome("full");
  const http = startHttp();
  const jobs = `${home}/jobs`;
  Deno.mkdirSync(jobs, { mode: 0o700 });
  // A 512 KiB file system under jobs/: the job's logs fill it long before the job ends.
  const m = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=512k,mode=700", "tmpfs", jobs],
  }).output();
  assert(m.success, `mounting a small tmpfs failed: ${new TextDecoder().decode(m.stderr)}`);
  try {
    await startService(home);
    const pid = (await status(home)).pid;
    const id = await submit(home, ["curl", "-sS", `${http.url}/big/5000000`]);
    const j = await finished(home, id);
    assertEquals([j.state, j.exit_code, j.log_truncated], ["succeeded", 0, true]);
    assertEquals((await status(home)).pid, pid);
    // The service still answers; a new submission either runs, or fails with the disk's own
    // code (issue 12, case 8), never E_INTERNAL.
    const r = await barn(home, ["run", "--output=json", "curl", "--version"]);
    if (r.code === 0) {
      const k = await finished(home, r.json().job_id);
      assertEquals([k.state, k.exit_code], ["succeeded", 0]);
    } else {
      assertEquals([r.code, r.json().error.code], [117, "E_DISK_FULL"], r.stdout);
    }
    assertEquals([(await status(home)).state, (await status(home)).pid], ["up", pid]);
  } finally {
    await http.close();
    await cleanupHome(home).catch(() => {});
    await new Deno.Command("umount", { args: ["-l", jobs] }).output();
    try {
      Deno.removeSync(home, { recursive: true });
    } catch { /* gone */ }
  }
});

Deno.test("idle and half-open connections are closed after idle_timeout; a long wait is not", async () => {
  const home = tempHome("idle");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"idle_timeout": "1s"}');
    await startService(home);
    const sock = `${home}/barn.sock`;
    const closedWithin = async (conn: Deno.Conn, ms: number) => {
      const buf = new Uint8Array(64);
      const r = await Promise.race([
        conn.read(buf).then((n) => n === null ? "closed" : "data").catch(() => "closed"),
        new Promise((res) => setTimeout(() => res("open"), ms)),
      ]);
      return r === "closed";
    };
    const silent = await Deno.connect({ transport: "unix", path: sock });
    assert(await closedWithin(silent, 5000), "a silent connection stayed open");
    const half = await Deno.connect({ transport: "unix", path: sock });
    await half.write(new Uint8Array([0, 0, 0, 99, 0x7b])); // a frame that never completes
    assert(await closedWithin(half, 5000), "a half-sent frame kept the connection open");
    silent.close();
    half.close();
    // A wait outlives the idle timeout: the timer only runs between requests.
    const id = await submit(home, sineJob(3));
    const w = await barn(home, ["wait", id]);
    assertEquals(w.code, 0, w.stderr);
  } finally {
    await cleanupHome(home);
  }
});
