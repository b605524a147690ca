import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { exitVerdict, OFFLINE_LATCH, transition } from "../../../src/jobs/transitions.ts";
import { BarnError } from "../../../src/errors.ts";

const NOW = "2026-01-01T00:00:00.000Z";

function job(over: Partial<Job> = {}): Job {
  return sampleJob({
    created_at: NOW,
    ...over,
  });
}

Deno.test("start moves queued to running with its supervisor", () => {
  const j = transition(
    job(),
    { type: "start", pid: null, supervisor: "keeper", supervisor_pid: 7 },
    NOW,
  );
  assertEquals([j.state, j.started_at, j.supervisor], ["running", NOW, "keeper"]);
});

Deno.test("a held job cannot start until released", () => {
  assertThrows(
    () =>
      transition(job({ latch: "L" }), {
        type: "start",
        pid: null,
        supervisor: "keeper",
        supervisor_pid: 7,
      }, NOW),
    BarnError,
  );
  const released = transition(job({ latch: "L" }), { type: "release" }, NOW);
  assertEquals(released.latch, null);
});

Deno.test("an --offline client's job is held for it: only an offline start takes it, and frees the latch", () => {
  const start = (supervisor: "keeper" | "offline", latch: string) => () =>
    transition(job({ latch }), { type: "start", pid: null, supervisor, supervisor_pid: 7 }, NOW);
  // The service's keeper never takes it (a queue pass between the client's insert and its start).
  assertThrows(start("keeper", OFFLINE_LATCH), BarnError);
  const mine = start("offline", OFFLINE_LATCH)();
  assertEquals([mine.state, mine.latch, mine.supervisor], ["running", null, "offline"]);
  // Another latch holds an offline start too.
  assertThrows(start("offline", "L"), BarnError);
});

Deno.test("exit 0 succeeds, non-zero fails with its code, a signal maps to 128+N", () => {
  const running = job({ state: "running", started_at: NOW });
  const ok = transition(
    running,
    { type: "exit", info: { process_exit_code: 0, signal: null } },
    NOW,
  );
  assertEquals([ok.state, ok.exit_code, ok.error], ["succeeded", 0, null]);
  const bad = transition(
    running,
    { type: "exit", info: { process_exit_code: 7, signal: null } },
    NOW,
  );
  assertEquals([bad.state, bad.exit_code, bad.process_exit_code], ["failed", 7, 7]);
  const sig = transition(running, {
    type: "exit",
    info: { process_exit_code: null, signal: "SIGKILL" },
  }, NOW);
  assertEquals([sig.state, sig.exit_code, sig.signal], ["failed", 137, "SIGKILL"]);
});

Deno.test("barn's verdict overrides the process code but keeps it", () => {
  const running = job({ state: "running" });
  const t = transition(running, {
    type: "exit",
    info: {
      process_exit_code: null,
      signal: "SIGTERM",
      outcome: { code: "E_TIMEOUT", error: "too slow" },
    },
  }, NOW);
  assertEquals([t.state, t.exit_code, t.signal, t.error], [
    "failed",
    "E_TIMEOUT",
    "SIGTERM",
    "too slow",
  ]);
  const c = transition(running, {
    type: "exit",
    info: { process_exit_code: 0, signal: null, outcome: { code: "E_CANCELED", error: "killed" } },
  }, NOW);
  assertEquals([c.state, c.exit_code, c.process_exit_code], ["canceled", "E_CANCELED", 0]);
});

Deno.test("cancel only from queued; interrupted only from running", () => {
  assertEquals(transition(job(), { type: "cancel", reason: "r" }, NOW).state, "canceled");
  assertThrows(
    () => transition(job({ state: "running" }), { type: "cancel", reason: "r" }, NOW),
    BarnError,
  );
  const i = transition(job({ state: "running" }), { type: "interrupted", error: "gone" }, NOW);
  assertEquals([i.state, i.exit_code], ["failed", "E_INTERRUPTED"]);
  assertThrows(() => transition(job(), { type: "interrupted", error: "x" }, NOW), BarnError);
});

Deno.test("finished jobs take no further events", () => {
  for (const state of ["succeeded", "failed", "canceled"] as const) {
    const done = job({ state, finished_at: NOW, exit_code: 0 });
    for (
      const ev of [
        { type: "start", pid: 1, supervisor: "keeper", supervisor_pid: 7 },
        { type: "exit", info: { process_exit_code: 0, signal: null } },
        { type: "cancel", reason: "r" },
        { type: "interrupted", error: "e" },
        { type: "release" },
      ] as const
    ) {
      const err = assertThrows(() => transition(done, ev, NOW), BarnError);
      assertEquals(err.code, "E_STATE");
    }
  }
});

Deno.test("spawn failures end failed with their symbolic code", () => {
  const t = transition(job({ state: "running" }), {
    type: "spawn_failed",
    code: "E_SPAWN",
    error: "nope",
  }, NOW);
  assertEquals([t.state, t.exit_code], ["failed", "E_SPAWN"]);
});

Deno.test("exitVerdict: a missing code counts as failure", () => {
  assertEquals(exitVerdict({ process_exit_code: null, signal: null }).state, "failed");
});

Deno.test("a job waiting for others cannot start; each success takes one off, a failure cancels it", () => {
  const waiting = job({ after: ["a", "b"], waiting_for: ["a", "b"] });
  const start = { type: "start", pid: null, supervisor: "keeper", supervisor_pid: 7 } as const;
  const e = assertThrows(() => transition(waiting, start, NOW), BarnError);
  assertEquals(e.code, "E_STATE");
  assertEquals(/waiting for a, b/.test(e.message), true, e.message);
  const one = transition(waiting, { type: "dependency_met", job_id: "a" }, NOW);
  assertEquals([one.waiting_for, one.after], [["b"], ["a", "b"]]);
  const ready = transition(one, { type: "dependency_met", job_id: "b" }, NOW);
  assertEquals(transition(ready, start, NOW).state, "running");
  const canceled = transition(one, { type: "dependency_failed", error: "job b failed" }, NOW);
  assertEquals(
    [canceled.state, canceled.exit_code, canceled.error, canceled.waiting_for],
    ["canceled", "E_DEPENDENCY", "job b failed", []],
  );
  assertEquals(canceled.finished_at, NOW);
  // A kill of a waiting job leaves it waiting for nothing.
  assertEquals(transition(one, { type: "cancel", reason: "k" }, NOW).waiting_for, []);
  for (const state of ["running", "succeeded"] as const) {
    assertThrows(
      () => transition(job({ state }), { type: "dependency_failed", error: "x" }, NOW),
      BarnError,
    );
    assertThrows(
      () => transition(job({ state }), { type: "dependency_met", job_id: "a" }, NOW),
      BarnError,
    );
  }
  // exit.json's verdict for E_DEPENDENCY is a cancel, as for E_CANCELED.
  assertEquals(
    exitVerdict({
      process_exit_code: null,
      signal: null,
      outcome: { code: "E_DEPENDENCY", error: "x" },
    }).state,
    "canceled",
  );
});
