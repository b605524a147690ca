/**
 * Issue 12's durability cases that are not fault injection (tests/chaos/ has those): what a
 * rebuild restores, half-done submissions, a config that must not destroy data, the SQLite
 * settings in status, and a dead --offline supervisor's slot while the keeper link is up.
 */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  cleanupHome,
  DENO,
  MAIN,
  pidAlive,
  sineJob,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";

// deno-lint-ignore no-explicit-any
type Rec = any;

async function describe(home: string, id: string): Promise<Rec> {
  return (await barn(home, ["describe", id, "--output=json", "--offline"])).json();
}

async function submit(home: string, args: string[]): Promise<string> {
  const r = await barn(home, ["run", "--output=json", ...args]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  return r.json().job_id;
}

/** Writes garbage over every page after the header, and drops the WAL: real damage. */
function damage(home: string): void {
  const db = Deno.readFileSync(`${home}/barn.db`);
  for (let i = 100; i < db.length; i++) db[i] = 0x5a;
  Deno.writeFileSync(`${home}/barn.db`, db);
  for (const ext of ["-wal", "-shm"]) {
    try {
      Deno.removeSync(`${home}/barn.db${ext}`);
    } catch { /* none */ }
  }
}

/** A copy of job `id`'s dir under a new id, with only the given snapshot file. */
function cloneDir(home: string, id: string, newId: string, as: string, over: Rec = {}): void {
  const snap = JSON.parse(Deno.readTextFileSync(`${home}/jobs/${id}/job.json`));
  Deno.mkdirSync(`${home}/jobs/${newId}`, { mode: 0o700 });
  Deno.writeTextFileSync(
    `${home}/jobs/${newId}/${as}`,
    JSON.stringify({
      ...snap,
      job_id: newId,
      job_dir: `${home}/jobs/${newId}`,
      stdout_path: `${home}/jobs/${newId}/stdout.log`,
      stderr_path: `${home}/jobs/${newId}/stderr.log`,
      ...over,
    }),
  );
}

Deno.test("a rebuild restores every job from its dir, job by job: exit.json wins, nothing runs twice", async () => {
  const home = tempHome("rebuild");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"heartbeat": "0.2s"}');
    // Finished, with a key.
    const done = (await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "--key=k1",
      "ffprobe",
      "-version",
    ])).json();
    assertEquals(done.state, "succeeded");
    const runsBefore = Deno.readTextFileSync(done.stdout_path);
    // Queued and held on a latch by the user, never started.
    await startService(home);
    const held = await submit(home, ["--pending=later", "ffprobe", "-version"]);
    await barn(home, ["service", "stop"]);
    // Interrupted: its --offline supervisor is SIGKILLed while the job runs (no service settles it).
    const client = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "run", "--offline", "--output=json", ...sineJob(30)],
      env: { BARN_HOME: home },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const cut = await waitFor(async () => {
      const list = (await barn(home, ["status", "--offline", "--output=json"])).json();
      return list.find((j: Rec) => j.state === "running" && j.pid);
    }, { what: "the --offline job to run" });
    client.kill("SIGKILL");
    await client.status;
    Deno.kill(-cut.pid, "SIGKILL"); // its leftover; the rebuild must not need it
    // A submission that may never have been acknowledged, and one whose key is taken.
    cloneDir(home, held, "zzzzzzzzzzz1", "job.pending.json", { latch: null });
    cloneDir(home, done.job_id, "zzzzzzzzzzz2", "job.json", {
      key: "k1",
      created_at: new Date().toISOString(), // newer than the job that holds the key
    });
    Deno.mkdirSync(`${home}/jobs/zzzzzzzzzzz3`, { mode: 0o700 }); // no snapshot at all

    damage(home);
    await startService(home);
    const aside = [...Deno.readDirSync(home)].filter((e) => /^barn\.db\.corrupt-/.test(e.name));
    assertEquals(aside.length, 1);
    const byId = new Map<string, Rec>(
      (await barn(home, ["status", "--all", "--output=json"])).json().map((
        j: Rec,
      ) => [j.job_id, j]),
    );
    assertEquals(byId.size, 4, [...byId.keys()].join(" "));
    assertEquals([byId.get(done.job_id).state, byId.get(done.job_id).exit_code], ["succeeded", 0]);
    assertEquals(byId.get(done.job_id).key, "k1");
    const intr = byId.get(cut.job_id);
    assertEquals([intr.state, intr.exit_code], ["failed", "E_INTERRUPTED"]);
    assertMatch(intr.error, /restored by a DB rebuild/);
    assertEquals(
      [byId.get(held).state, byId.get(held).latch],
      ["queued", "later"],
      JSON.stringify(byId.get(held)),
    );
    const maybe = byId.get("zzzzzzzzzzz1");
    assertEquals([maybe.state, maybe.latch], ["queued", "rebuild"]);
    assert(!byId.has("zzzzzzzzzzz2") && !byId.has("zzzzzzzzzzz3"));
    // Nothing ran twice or unasked: the finished job's output is its one run, the held ones never started.
    assertEquals(Deno.readTextFileSync(done.stdout_path), runsBefore);
    for (const id of [held, "zzzzzzzzzzz1"]) {
      assertEquals((await describe(home, id)).started_at, null);
    }
    const log = (await barn(home, ["service", "logs", "-n", "30"])).stdout;
    assertMatch(log, /barn\.db was damaged.*rebuilt 4 jobs.*1 finished.*1 interrupted.*1 held/);
    assertMatch(log, /2 not restored: .*zzzzzzzzzzz2: its key 'k1' is taken/);
    // The held one is the user's to release; it then runs once.
    await barn(home, ["release", "rebuild"]);
    const ran = await waitFor(async () => {
      const j = await describe(home, "zzzzzzzzzzz1");
      return j.state === "succeeded" ? j : null;
    }, { what: "the released job to run" });
    assertEquals(ran.exit_code, 0);
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("a crash mid-submission: a committed job keeps its snapshot, an uncommitted one leaves no job", async () => {
  const home = tempHome("pending");
  try {
    const a = (await barn(home, ["run", "--offline", "--output=json", "ffprobe", "-version"]))
      .json();
    // As if it came before the commit: a pending snapshot the DB never saw.
    cloneDir(home, a.job_id, "zzzzzzzzzzz4", "job.pending.json");
    // As if the crash came after the commit, before the rename: the DB has it, the dir is pending.
    Deno.renameSync(`${a.job_dir}/job.json`, `${a.job_dir}/job.pending.json`);
    await startService(home);
    assert(Deno.statSync(`${a.job_dir}/job.json`).isFile);
    assertEquals([...Deno.readDirSync(`${home}/jobs`)].map((e) => e.name), [a.job_id]);
    const list = (await barn(home, ["status", "--all", "--output=json"])).json();
    assertEquals(list.map((j: Rec) => j.job_id), [a.job_id]);
    assertMatch(
      (await barn(home, ["service", "logs", "-n", "20"])).stdout,
      /1 committed, 1 never committed/,
    );
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("a batch's acknowledged jobs come back from its one journal after barn.db is damaged", async () => {
  const home = tempHome("batchrebuild");
  try {
    await startService(home);
    const lines = Array.from(
      { length: 5 },
      (_, i) => JSON.stringify({ command: ["ffprobe", "-version"], tag: "b", pending: `hold${i}` }),
    );
    const r = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: lines.join("\n") });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    const ids: string[] = r.json().map((j: Rec) => j.job_id);
    assertEquals(ids.length, 5);
    await barn(home, ["service", "stop"]);
    // One file for the whole batch; the job dirs hold no snapshot of their own.
    const files = [...Deno.readDirSync(`${home}/jobs`)].filter((e) => e.isFile).map((e) => e.name);
    assertEquals(files, [`${ids[0]}.batch.json`]);
    for (const id of ids) assertEquals([...Deno.readDirSync(`${home}/jobs/${id}`)], []);
    damage(home);
    await startService(home);
    const back = (await barn(home, ["status", "--all", "--output=json"])).json();
    assertEquals(back.map((j: Rec) => j.job_id).sort(), [...ids].sort());
    for (const [i, id] of ids.entries()) {
      const j = back.find((x: Rec) => x.job_id === id);
      assertEquals([j.state, j.tag, j.latch], ["queued", "b", `hold${i}`]);
    }
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("a batch refused for a full disk leaves no half-written journal behind", async () => {
  const home = tempHome("batchfull");
  const jobs = `${home}/jobs`;
  Deno.mkdirSync(jobs, { mode: 0o700 });
  // A 64 KiB file system under jobs/: the batch's journal (about 200 KiB) cannot fit.
  const m = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=64k,mode=700", "tmpfs", jobs],
  }).output();
  assert(m.success, `mounting a small tmpfs failed: ${new TextDecoder().decode(m.stderr)}`);
  try {
    await startService(home);
    const lines = Array.from(
      { length: 100 },
      () => JSON.stringify({ command: ["ffprobe", "-version"], meta: { pad: "x".repeat(2000) } }),
    );
    const r = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: lines.join("\n") });
    assertEquals([r.code, r.json().error.code], [117, "E_DISK_FULL"], r.stdout + r.stderr);
    // Nothing half-written stays: no job dir and no journal holding the space the disk lacked.
    assertEquals([...Deno.readDirSync(jobs)].map((e) => e.name), []);
    assertEquals((await barn(home, ["status", "--all", "--output=json"])).json(), []);
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home).catch(() => {});
    await new Deno.Command("umount", { args: ["-l", jobs] }).output();
    try {
      Deno.removeSync(home, { recursive: true });
    } catch { /* gone */ }
  }
});

Deno.test("a batch job's clean cut short never brings it back to run again after a rebuild", async () => {
  const home = tempHome("batchclean");
  const jobs = `${home}/jobs`;
  try {
    await startService(home);
    const lines = Array.from(
      { length: 3 },
      () => JSON.stringify({ command: ["ffprobe", "-version"] }),
    );
    const r = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: lines.join("\n") });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    const ids: string[] = r.json().map((j: Rec) => j.job_id);
    for (const id of ids) assertEquals((await barn(home, ["wait", id])).code, 0);
    const cut = ids[1]!;
    const before = await describe(home, cut);
    // The clean is cut between emptying the job's dir and removing it (as a SIGKILL there would
    // leave it): jobs/ itself cannot change, so its entries go and the dir stays.
    const immutable = await new Deno.Command("chattr", { args: ["+i", jobs] }).output();
    assert(immutable.success, `chattr +i failed: ${new TextDecoder().decode(immutable.stderr)}`);
    try {
      await barn(home, ["clean", cut]);
    } finally {
      await new Deno.Command("chattr", { args: ["-i", jobs] }).output();
    }
    await barn(home, ["service", "stop"]);
    for (const f of ["barn.db", "barn.db-wal", "barn.db-shm"]) {
      try {
        Deno.removeSync(`${home}/${f}`);
      } catch { /* none */ }
    }
    await startService(home);
    // Gone, or back as it ended: never queued again, never run a second time.
    const back = (await barn(home, ["status", "--all", "--output=json"])).json();
    const again = back.find((j: Rec) => j.job_id === cut);
    if (again !== undefined) {
      assertEquals((await barn(home, ["wait", cut])).code, 0);
      const j = await describe(home, cut);
      // A second run would have a start of its own.
      assertEquals([j.state, j.started_at, j.pid], ["succeeded", before.started_at, before.pid]);
    }
    assertEquals(back.length, again === undefined ? 2 : 3);
  } finally {
    await new Deno.Command("chattr", { args: ["-i", jobs] }).output();
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("a spent batch journal left by a clean cut short does not make every start a rebuild", async () => {
  const home = tempHome("batchspent");
  try {
    await startService(home);
    const lines = Array.from(
      { length: 2 },
      () => JSON.stringify({ command: ["ffprobe", "-version"] }),
    );
    const r = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: lines.join("\n") });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    const ids: string[] = r.json().map((j: Rec) => j.job_id);
    for (const id of ids) assertEquals((await barn(home, ["wait", id])).code, 0);
    const journal = `${home}/jobs/${ids[0]}.batch.json`;
    const text = Deno.readTextFileSync(journal);
    assertEquals((await barn(home, ["clean", ...ids])).code, 0);
    await barn(home, ["service", "stop"]);
    // As a clean cut between the dirs and the journal leaves it, beside a dir no rebuild restores.
    Deno.writeTextFileSync(journal, text);
    Deno.mkdirSync(`${home}/jobs/zzzzzzzzzzz3`, { mode: 0o700 });
    for (let i = 0; i < 2; i++) {
      await startService(home);
      await barn(home, ["service", "stop"]);
    }
    const log = (await barn(home, ["service", "logs", "-n", "40"])).stdout;
    assert(!/rebuil/.test(log), log);
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("a bad socket_name never destroys data: the service refuses to start and says why", async () => {
  const home = tempHome("sockname");
  try {
    const a = (await barn(home, ["run", "--offline", "--output=json", "ffprobe", "-version"]))
      .json();
    const before = Deno.readFileSync(`${home}/barn.db`);
    Deno.writeTextFileSync(`${home}/config.json`, '{"socket_name": "barn.db"}');
    const r = await barn(home, ["service", "start"]);
    assertEquals(r.code, 105, r.stdout + r.stderr);
    assertMatch(r.stderr, /socket_name.*\[E_CONFIG\]/);
    assertEquals(Deno.readFileSync(`${home}/barn.db`), before);
    // Something that is not a socket where the socket goes is left alone, and named.
    Deno.writeTextFileSync(`${home}/config.json`, '{"socket_name": "my.sock"}');
    Deno.writeTextFileSync(`${home}/my.sock`, "user data");
    const r2 = await barn(home, ["service", "start"]);
    assertEquals(r2.code, 105, r2.stdout + r2.stderr);
    assertMatch(r2.stderr, /my\.sock is in the way of barn's socket and is not a socket/);
    assertEquals(Deno.readTextFileSync(`${home}/my.sock`), "user data");
    assertEquals((await describe(home, a.job_id)).state, "succeeded");
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("a SIGKILLed --offline client's job gives its slot back while the keeper link is up", async () => {
  const home = tempHome("slot");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 2, "heartbeat": "0.2s"}');
    await startService(home);
    const long = await submit(home, sineJob(30)); // keeps a keeper and its link up
    await waitFor(async () => (await describe(home, long)).state === "running");
    const client = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "run", "--offline", "--output=json", ...sineJob(30)],
      env: { BARN_HOME: home },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const offline = await waitFor(async () => {
      const list = (await barn(home, ["status", "--output=json"])).json();
      return list.find((j: Rec) => j.supervisor === "offline" && j.state === "running" && j.pid);
    }, { what: "the --offline job to run" });
    client.kill("SIGKILL");
    await client.status;
    const next = await submit(home, ["ffprobe", "-version"]);
    const st = (await barn(home, ["service", "status", "--output=json"])).json();
    assertEquals(st.keeper.state, "up");
    const ended = await waitFor(async () => {
      const j = await describe(home, offline.job_id);
      return j.state === "failed" ? j : null;
    }, { what: "the orphaned --offline job to be settled" });
    assertEquals(ended.exit_code, "E_INTERRUPTED");
    assertMatch(ended.error, /leftover processes were killed/);
    assert(!pidAlive(offline.pid));
    const ran = await waitFor(async () => {
      const j = await describe(home, next);
      return j.state === "succeeded" ? j : null;
    }, { what: "the queued job to get the freed slot" });
    assertEquals(ran.exit_code, 0);
  } finally {
    await barn(home, ["service", "stop", "--kill-jobs"]);
    await cleanupHome(home);
  }
});

Deno.test("service status shows the SQLite settings in force", async () => {
  const home = tempHome("settings");
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"busy_timeout": "3s"}');
    await startService(home);
    const st = (await barn(home, ["service", "status", "--output=json"])).json();
    assertEquals(st.store, {
      path: `${home}/barn.db`,
      journal_mode: "wal",
      synchronous: "NORMAL",
      submit_synchronous: "FULL",
      busy_timeout_ms: 3000,
      schema_version: st.store.schema_version,
    });
    assert(st.store.schema_version >= 2);
    const human = await barn(home, ["service", "status"]);
    assertMatch(
      human.stdout,
      /store: .*\(journal wal, synchronous NORMAL, new jobs FULL, busy_timeout 3s/,
    );
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});
