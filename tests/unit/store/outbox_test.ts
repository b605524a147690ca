import { assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { exitWith, RUN, spec } from "../../helpers/store_fixture.ts";

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
