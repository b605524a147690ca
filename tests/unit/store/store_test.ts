import { assert, assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import type { JobSpec } from "../../../src/jobs/job.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";

Deno.test("unfinishedCount: right for any list length, with one cached statement", async () => {
  const home = tempHome("store");
  const store = Store.open(prepareHome(home));
  try {
    const ids = store.insert(
      Array.from({ length: 1200 }, () => ({ command: ["curl", "--version"], cwd: "/" })),
    ).map((r) => r.job.job_id);
    // Every third job ends; the rest stay queued.
    for (const id of ids.filter((_, i) => i % 3 === 0)) {
      store.apply(id, { type: "cancel", reason: "test" });
    }
    const unfinished = (list: string[]) =>
      list.filter((_, i) => ids.indexOf(list[i]!) % 3 !== 0).length;
    store.unfinishedCount(ids.slice(0, 1)); // prepares the statement
    const cached = store.db.cachedStatements;
    for (const n of [0, 1, 7, 499, 500, 501, 1000, 1200]) {
      const list = ids.slice(0, n);
      assertEquals(store.unfinishedCount(list), unfinished(list), `${n} ids`);
    }
    assertEquals(store.unfinishedCount(["nosuchjob000", ""]), 0);
    assertEquals(store.db.cachedStatements, cached);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("epoch: stable across opens of one DB file, new for a new file", async () => {
  const home = tempHome("epoch");
  try {
    const paths = prepareHome(home);
    const a = Store.open(paths);
    const epoch = a.epoch();
    a.close();
    assertEquals(/^[0-9a-f]{16}$/.test(epoch), true, epoch);
    const again = Store.open(paths);
    assertEquals(again.epoch(), epoch);
    again.close();
    for (const ext of ["", "-wal", "-shm"]) {
      try {
        Deno.removeSync(paths.db + ext);
      } catch { /* absent */ }
    }
    const fresh = Store.open(paths);
    assertEquals(fresh.epoch() === epoch, false, "a new DB file has a new epoch");
    fresh.close();
  } finally {
    await cleanupHome(home);
  }
});

function spec(over: Partial<JobSpec> = {}): JobSpec {
  return { command: ["ffprobe", "-version"], cwd: "/tmp/barn", ...over };
}

const RUN = { type: "start", pid: null, supervisor: "keeper", supervisor_pid: 1 } as const;

function exitWith(code: number) {
  return { type: "exit", info: { process_exit_code: code, signal: null } } as const;
}

Deno.test("dependencies: a success frees the dependents in the end's transaction, a failure cancels them all with their exit.json", async () => {
  const home = tempHome("deps");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b, c, d] = store.insert([
      spec({ label: "a" }),
      spec({ label: "b", after: ["a"] }),
      spec({ label: "c", after: ["b", "a"] }),
      spec({ after: ["c"] }),
    ]).map((r) => r.job);
    assertEquals([b!.waiting_for, c!.waiting_for], [[a!.job_id], [b!.job_id, a!.job_id]]);
    assertEquals(d!.after, [c!.job_id]);
    // Only `a` is ready.
    assertEquals(store.nextQueued("probe", 10).map((j) => j.job_id), [a!.job_id]);
    store.apply(a!.job_id, RUN);
    store.apply(a!.job_id, exitWith(0));
    assertEquals(store.get(b!.job_id)!.waiting_for, []);
    assertEquals(store.get(c!.job_id)!.waiting_for, [b!.job_id]);
    assertEquals(store.nextQueued("probe", 10).map((j) => j.job_id), [b!.job_id]);
    store.apply(b!.job_id, RUN);
    store.apply(b!.job_id, exitWith(3));
    for (const [id, via] of [[c!.job_id, null], [d!.job_id, c!.job_id]] as const) {
      const j = store.get(id)!;
      assertEquals([j.state, j.exit_code, j.waiting_for], ["canceled", "E_DEPENDENCY", []]);
      assertMatch(j.error!, new RegExp(`^job ${b!.job_id} failed \\(exit_code 3\\)`));
      if (via) assertMatch(j.error!, new RegExp(`through job ${via}`));
      const exit = JSON.parse(Deno.readTextFileSync(`${j.job_dir}/exit.json`));
      assertEquals(exit.final.exit_code, "E_DEPENDENCY");
    }
    const events = store.eventsSince(0, undefined).filter((e) => e.state === "canceled");
    assertEquals(events.map((e) => e.job_id), [c!.job_id, d!.job_id]);
    assertEquals((store.db.stmt("SELECT COUNT(*) AS n FROM job_deps").get() as { n: number }).n, 0);
    assertEquals(store.settleDependencies(), 0);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("dependencies: ids, prefixes and @names resolve; unknown ones roll the whole submission back", async () => {
  const home = tempHome("depref");
  const store = Store.open(prepareHome(home));
  try {
    const [a] = store.insert([spec({ name: "render", latch: "L" })]).map((r) => r.job);
    const refs = [a!.job_id, a!.job_id.slice(0, 5).toUpperCase(), "@render"];
    for (const ref of refs) {
      assertEquals(store.insert([spec({ after: [ref] })])[0]!.job.waiting_for, [a!.job_id]);
    }
    const before = store.count();
    const dirs = [...Deno.readDirSync(`${home}/jobs`)].length;
    const e = assertThrows(
      () => store.insert([spec(), spec({ after: ["@nosuch"] })]),
      BarnError,
    );
    assertEquals(e.code, "E_NOT_FOUND");
    assertMatch(e.message, /^job 2: after: no job is named 'nosuch'/);
    assertEquals([store.count(), [...Deno.readDirSync(`${home}/jobs`)].length], [before, dirs]);
    // A name is unique among unfinished jobs only.
    const taken = assertThrows(() => store.insert([spec({ name: "render" })]), BarnError);
    assertEquals(taken.code, "E_EXISTS");
    store.apply(a!.job_id, { type: "cancel", reason: "test" });
    const [b] = store.insert([spec({ name: "render" })]).map((r) => r.job);
    assertEquals(store.resolve("@render").job_id, b!.job_id);
    store.apply(b!.job_id, { type: "cancel", reason: "test" });
    // Both finished: the newest.
    assertEquals(store.resolve("@render").job_id, b!.job_id);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("dependencies: after a job that already failed, a new job is canceled at once; a succeeded one is no wait", async () => {
  const home = tempHome("depdone");
  const store = Store.open(prepareHome(home));
  try {
    const [ok, bad] = store.insert([spec(), spec()]).map((r) => r.job);
    for (const [j, code] of [[ok!, 0], [bad!, 1]] as const) {
      store.apply(j.job_id, RUN);
      store.apply(j.job_id, exitWith(code));
    }
    const [x, y, z] = store.insert([
      spec({ after: [ok!.job_id] }),
      spec({ label: "y", after: [bad!.job_id, ok!.job_id] }),
      spec({ after: ["y"] }),
    ]).map((r) => r.job);
    assertEquals([x!.state, x!.waiting_for], ["queued", []]);
    assertEquals([y!.state, y!.exit_code], ["canceled", "E_DEPENDENCY"]);
    assertEquals([z!.state, z!.exit_code], ["canceled", "E_DEPENDENCY"]);
    assertMatch(z!.error!, new RegExp(`^job ${bad!.job_id} failed.*through job ${y!.job_id}`));
    // A later job after a job canceled that way names the job that failed, not the cancel.
    const [w] = store.insert([spec({ after: [z!.job_id] })]).map((r) => r.job);
    assertMatch(w!.error!, new RegExp(`^job ${bad!.job_id} failed.*through job ${z!.job_id}`));
    assertEquals(
      JSON.parse(Deno.readTextFileSync(`${w!.job_dir}/job.json`)).after,
      [z!.job_id],
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("settleDependencies: an end its dependents never heard of, or a job that is gone", async () => {
  const home = tempHome("settle");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b, c, d] = store.insert([
      spec({ label: "a" }),
      spec({ label: "b", after: ["a"] }),
      spec({ label: "c", after: ["b"] }),
      spec({ after: ["a"] }),
    ]).map((r) => r.job);
    // What a rebuild produces: a ended (its exit.json), the edges still there.
    store.db.stmt("UPDATE jobs SET state = 'failed', exit_code = '1' WHERE job_id = ?").run(
      a!.job_id,
    );
    assertEquals(store.settleDependencies(), 2);
    for (const j of [b!, c!, d!]) assertEquals(store.get(j.job_id)!.exit_code, "E_DEPENDENCY");
    assertEquals(store.settleDependencies(), 0);
    const [e, f] = store.insert([spec({ label: "e" }), spec({ after: ["e"] })]).map((r) => r.job);
    store.db.stmt("DELETE FROM jobs WHERE job_id = ?").run(e!.job_id);
    assertEquals(store.settleDependencies(), 1);
    const gone = store.get(f!.job_id)!;
    assertEquals(gone.exit_code, "E_DEPENDENCY");
    assertMatch(
      gone.error!,
      new RegExp(`job ${e!.job_id}, which this job runs after, no longer exists`),
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("the queue by group: ready jobs only, FIFO within each group; counts by group", async () => {
  const home = tempHome("groups");
  const store = Store.open(prepareHome(home));
  try {
    const ids = store.insert([
      spec({ command: ["ffmpeg", "-i", "x"] }),
      spec({ command: ["curl", "-V"] }),
      spec({ command: ["ffmpeg", "-i", "y"], latch: "L" }),
      spec({ command: ["ffmpeg", "-i", "z"] }),
      spec({ group: "probe", command: ["ffmpeg", "-i", "w"] }),
      spec({ label: "x", command: ["curl", "-V"], after: [] }),
    ]).map((r) => r.job.job_id);
    assertEquals(store.readyGroups(), ["probe", "transcode", "transfer"]);
    assertEquals(store.nextQueued("transcode", 5).map((j) => j.job_id), [ids[0], ids[3]]);
    const [first, second] = store.nextQueued("transcode", 5);
    assert(first!.created_at === second!.created_at && first!.seq < second!.seq);
    store.apply(ids[0]!, RUN);
    assertEquals(store.runningByGroup(), new Map([["transcode", 1]]));
    assertEquals(
      store.groupCounts(),
      new Map([
        ["transcode", { running: 1, queued: 2 }],
        ["transfer", { running: 0, queued: 2 }],
        ["probe", { running: 0, queued: 1 }],
      ]),
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("clean: named jobs all finished or nothing goes; filters; dry runs keep everything", async () => {
  const home = tempHome("cleansel");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b, c, q] = store.insert([
      spec({ tag: "t" }),
      spec({ tag: "t" }),
      spec({ tag: "u" }),
      spec({ tag: "t" }),
    ]).map((r) => r.job);
    for (const [j, code] of [[a!, 0], [b!, 1], [c!, 0]] as const) {
      store.apply(j.job_id, RUN);
      store.apply(j.job_id, exitWith(code));
    }
    const e = assertThrows(
      () => store.clean({ kind: "ids", ids: [a!.job_id, q!.job_id] }),
      BarnError,
    );
    assertEquals(e.code, "E_STATE");
    assertEquals(store.count(), 4);
    const dry = store.clean({ kind: "filter", tag: "t" }, true);
    assertEquals(dry.map((j) => j.job_id), [a!.job_id, b!.job_id]);
    assertEquals(store.count(), 4);
    assertEquals(
      store.clean({ kind: "filter", tag: "t", state: "failed" }).map((j) => j.job_id),
      [b!.job_id],
    );
    assertEquals(store.get(b!.job_id), null);
    assertEquals(
      store.clean({ kind: "filter", finishedBefore: "2000-01-01T00:00:00.000Z" }),
      [],
    );
    assertEquals(
      store.clean({ kind: "ids", ids: [c!.job_id, c!.job_id.slice(0, 6)] }).map((j) => j.job_id),
      [c!.job_id],
    );
    assertEquals(
      [...Deno.readDirSync(`${home}/jobs`)].map((d) => d.name).sort(),
      [a!.job_id, q!.job_id].sort(),
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("outbox: an end enqueues one notification per URL, in the ending transaction, once", async () => {
  const home = tempHome("outbox");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b] = store.insert([
      {
        command: ["curl", "--version"],
        cwd: "/",
        notify_urls: ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"],
      },
      { command: ["curl", "--version"], cwd: "/" },
    ]).map((r) => r.job);
    assertEquals(store.notificationsOf(a!.job_id), []);
    store.apply(a!.job_id, { type: "start", pid: 1, supervisor: "keeper", supervisor_pid: 1 });
    assertEquals(store.notificationsOf(a!.job_id), [], "a start is no end");
    store.apply(a!.job_id, { type: "exit", info: { process_exit_code: 0, signal: null } });
    const n = store.notificationsOf(a!.job_id);
    assertEquals(n.map((x) => [x.delivery_id, x.url, x.state, x.attempts]), [
      [`${a!.job_id}.1`, "http://127.0.0.1:1/a", "pending", 0],
      [`${a!.job_id}.2`, "http://127.0.0.1:1/b", "pending", 0],
    ]);
    const due = store.dueNotifications(new Date(Date.now() + 1000).toISOString(), 10);
    assertEquals(JSON.parse(due[0]!.body).job.state, "succeeded");
    store.apply(b!.job_id, { type: "cancel", reason: "test" });
    assertEquals(store.notificationsOf(b!.job_id), [], "no URL, no notification");
    // Attempts: a failure stays pending with its error, a success settles it.
    store.recordAttempt(n[0]!.delivery_id, {
      at: new Date().toISOString(),
      state: "pending",
      status: 500,
      error: "HTTP 500",
      next: "2999-01-01T00:00:00.000Z",
    });
    assertEquals(store.nextNotificationAt(), n[1]!.next_attempt_at);
    store.recordAttempt(n[1]!.delivery_id, {
      at: "2026-01-01T00:00:01.000Z",
      state: "delivered",
      status: 204,
      error: null,
      next: null,
    });
    const after = store.notificationsOf(a!.job_id);
    assertEquals(after.map((x) => [x.state, x.attempts, x.last_status, x.last_error]), [
      ["pending", 1, 500, "HTTP 500"],
      ["delivered", 1, 204, null],
    ]);
    assertEquals(after[1]!.delivered_at, "2026-01-01T00:00:01.000Z");
    // clean drops settled notifications with their job, keeps the pending one until it settles.
    store.clean({ kind: "default", failedBefore: new Date().toISOString() });
    assertEquals(store.dueNotifications("2999-12-31T00:00:00.000Z", 10).length, 1);
    assertEquals(
      store.recordAttempt(n[0]!.delivery_id, {
        at: new Date().toISOString(),
        state: "delivered",
        status: 200,
        error: null,
        next: null,
      }),
      false,
    );
    assertEquals(store.notificationsOf(a!.job_id), []);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("outbox: a rebuilt finished job is pending again unless its dir says delivered", async () => {
  const home = tempHome("outbox-restore");
  const store = Store.open(prepareHome(home));
  try {
    const job = sampleJob({
      job_id: "abcdefghjkm1",
      state: "failed",
      finished_at: "2026-01-01T00:00:00.000Z",
      notify_urls: ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"],
    });
    store.restore(job, new Map([["abcdefghjkm1.2", "2026-01-01T00:00:05.000Z"]]));
    assertEquals(store.notificationsOf(job.job_id).map((x) => [x.delivery_id, x.state]), [
      ["abcdefghjkm1.1", "pending"],
      ["abcdefghjkm1.2", "delivered"],
    ]);
    store.restore(sampleJob({ job_id: "abcdefghjkm2", notify_urls: ["http://127.0.0.1:1/a"] }));
    assertEquals(store.notificationsOf("abcdefghjkm2"), [], "a queued job notifies when it ends");
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("outbox: a job canceled because a job it runs after failed is notified too", async () => {
  const home = tempHome("outbox-deps");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b, c] = store.insert([
      spec({ label: "a" }),
      spec({ label: "b", after: ["a"], notify_urls: ["http://127.0.0.1:1/b"] }),
      spec({ label: "c", after: ["b"], notify_urls: ["http://127.0.0.1:1/c"] }),
    ]).map((r) => r.job);
    store.apply(a!.job_id, RUN);
    store.apply(a!.job_id, exitWith(3));
    for (const j of [b!, c!]) {
      const n = store.notificationsOf(j.job_id);
      assertEquals(n.map((x) => x.state), ["pending"], j.job_id);
      const body = JSON.parse(
        store.dueNotifications("2999-01-01T00:00:00.000Z", 10)
          .find((x) => x.job_id === j.job_id)!.body,
      );
      assertEquals([body.job.state, body.job.exit_code], ["canceled", "E_DEPENDENCY"]);
    }
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("iterateJson: list's records as JSON, in its order, for any limit; writes go on while a listing is open", async () => {
  const home = tempHome("store");
  const store = Store.open(prepareHome(home));
  const other = Store.open(prepareHome(home));
  try {
    // Two batches of 150: the jobs of one batch share created_at, so rowid breaks the tie.
    for (const tag of ["a", "b"]) {
      store.insert(
        Array.from({ length: 150 }, (_, i) => ({ command: ["curl", `${i}`], cwd: "/", tag })),
      );
    }
    const filters = [{}, { tag: "a" }, { state: "queued" as const }, { since: "2000-01-01" }];
    for (const f of filters) {
      for (const limit of [undefined, 1, 127, 128, 129, 150, 256, 299, 300, 301]) {
        const filter = { ...f, limit };
        assertEquals(
          [...store.iterateJson(filter)],
          store.list(filter).map((j) => JSON.stringify(j)),
          JSON.stringify(filter),
        );
      }
    }
    // Mid-listing, another connection writes and then this one does: no read is held open.
    const listing = store.iterateJson({});
    const first = listing.next();
    other.insert([{ command: ["curl", "x"], cwd: "/" }]);
    assertEquals(store.insert([{ command: ["curl", "y"], cwd: "/" }]).length, 1);
    // The listing goes on as it began: the jobs submitted since are newer than its cursor.
    assertEquals(1 + [...listing].length, 300);
    assertEquals(first.done, false);
  } finally {
    other.close();
    store.close();
    await cleanupHome(home);
  }
});
