import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import type { Job, JobState } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import {
  cycleBound,
  REBUILD_LATCH,
  restoredJob,
  snapshotProblem,
  usableExit,
  waitingAfterRebuild,
} from "../../../src/store/restored_job.ts";

const NOW = "2026-01-02T00:00:00.000Z";

function snapshot(over: Partial<Job> = {}): Job {
  return sampleJob({
    job_id: "aaaabbbbcccc",
    command: ["ffprobe", "-version"],
    job_dir: "/tmp/barn/jobs/aaaabbbbcccc",
    key: "k1",
    ...over,
  });
}

Deno.test("rebuild: exit.json wins over job.json, the process's status or barn's verdict", () => {
  const byProcess = restoredJob(
    snapshot(),
    false,
    {
      job_id: "aaaabbbbcccc",
      finished_at: "2026-01-01T00:01:00.000Z",
      process_exit_code: 3,
      signal: null,
    },
    false,
    true,
    NOW,
  );
  assertEquals(byProcess.kind, "finished");
  assertEquals(
    [byProcess.job.state, byProcess.job.exit_code, byProcess.job.process_exit_code],
    ["failed", 3, 3],
  );
  const canceled = restoredJob(
    snapshot(),
    false,
    {
      job_id: "aaaabbbbcccc",
      finished_at: "2026-01-01T00:01:00.000Z",
      process_exit_code: null,
      signal: null,
      final: { state: "canceled", exit_code: "E_CANCELED", error: "canceled by `barn kill`" },
    },
    false,
    false,
    NOW,
  );
  assertEquals([canceled.job.state, canceled.job.exit_code], ["canceled", "E_CANCELED"]);
  // Even with a held lock, a recorded end is the end.
  assertEquals(
    restoredJob(
      snapshot(),
      false,
      {
        job_id: "aaaabbbbcccc",
        finished_at: NOW,
        process_exit_code: 0,
        signal: null,
      },
      true,
      true,
      NOW,
    ).job.state,
    "succeeded",
  );
});

Deno.test("rebuild: a live supervisor means running; a dead one after a start means interrupted", () => {
  const alive = restoredJob(snapshot(), false, null, true, true, NOW);
  assertEquals([alive.kind, alive.job.state], ["running", "running"]);
  const dead = restoredJob(snapshot(), false, null, false, true, NOW);
  assertEquals([dead.kind, dead.job.state, dead.job.exit_code], [
    "interrupted",
    "failed",
    "E_INTERRUPTED",
  ]);
  assertMatch(dead.job.error!, /restored by a DB rebuild/);
});

Deno.test("rebuild: a never-started job comes back as submitted; a maybe-unacknowledged one held", () => {
  const queued = restoredJob(snapshot({ latch: "nightly" }), false, null, false, false, NOW);
  assertEquals([queued.kind, queued.job.state, queued.job.latch], [
    "restored",
    "queued",
    "nightly",
  ]);
  const held = restoredJob(snapshot(), true, null, false, false, NOW);
  assertEquals([held.kind, held.job.state, held.job.latch], ["held", "queued", REBUILD_LATCH]);
  assertMatch(
    held.job.error!,
    /may never have been\s+acknowledged|may never have been acknowledged/,
  );
  // A pending snapshot that did start is no longer a question of acknowledgement.
  assertEquals(restoredJob(snapshot(), true, null, false, true, NOW).kind, "interrupted");
});

Deno.test("rebuild: a snapshot from before pipelines gets their defaults; waiting is recomputed", () => {
  const old = snapshot() as unknown as Record<string, unknown>;
  for (const k of ["name", "group", "after", "waiting_for", "meta"]) delete old[k];
  const r = restoredJob(old as unknown as Job, false, null, false, false, NOW);
  assertEquals(
    [r.job.name, r.job.group, r.job.after, r.job.waiting_for, r.job.meta],
    [null, "probe", [], [], null],
  );
  const job = snapshot({ after: ["s", "f", "q", "u", "x"], waiting_for: ["stale"] });
  const states: Record<string, string> = { s: "succeeded", f: "failed", q: "queued" };
  const stateOf = (id: string) =>
    (states[id] ?? (id === "u" ? "unrestored" : "absent")) as JobState | "unrestored" | "absent";
  assertEquals(waitingAfterRebuild(job, stateOf), ["f", "q", "u"]);
  assertEquals(waitingAfterRebuild({ ...job, state: "running" }, stateOf), []);
});

Deno.test("rebuild: a job.json or exit.json of a shape barn never writes is told apart", () => {
  const ok = snapshot();
  assertEquals(snapshotProblem(ok, "aaaabbbbcccc"), null);
  assertMatch(snapshotProblem(ok, "other")!, /names job "aaaabbbbcccc"/);
  assertMatch(snapshotProblem([], "aaaabbbbcccc")!, /not a JSON object/);
  assertMatch(
    snapshotProblem({ job_id: "aaaabbbbcccc" }, "aaaabbbbcccc")!,
    /bad command, cwd, created_at/,
  );
  assertMatch(snapshotProblem({ ...ok, after: "x", key: 3 }, "aaaabbbbcccc")!, /bad after, key$/);
  // An INTEGER column past 2^53 would make node:sqlite throw on every read of the row.
  assertMatch(
    snapshotProblem({ ...ok, pid: 2 ** 60, process_exit_code: 1.5 }, "aaaabbbbcccc")!,
    /bad pid, process_exit_code$/,
  );
  const exit = { job_id: "aaaabbbbcccc", finished_at: NOW, process_exit_code: 0, signal: null };
  assertEquals(usableExit(exit)?.process_exit_code, 0);
  const final = { state: "canceled" as const, exit_code: "E_CANCELED", error: "canceled" };
  assertEquals(usableExit({ ...exit, final })?.final, final);
  for (
    const bad of [
      null,
      "x",
      {},
      { ...exit, finished_at: 1 },
      { ...exit, signal: 9 },
      {
        ...exit,
        final: {},
      },
      { ...exit, pid: 2 ** 60 },
      { ...exit, process_exit_code: 2 ** 53 },
    ]
  ) {
    assertEquals(usableExit(bad), null);
  }
  const gone = restoredJob(snapshot(), false, null, false, false, NOW, true);
  assertEquals([gone.kind, gone.job.state, gone.job.exit_code], [
    "interrupted",
    "failed",
    "E_INTERRUPTED",
  ]);
});

Deno.test("rebuild: a finished job keeps when it started and its pid from exit.json; older files lack them", () => {
  const exit = {
    job_id: "aaaabbbbcccc",
    finished_at: "2026-01-01T00:01:00.000Z",
    started_at: "2026-01-01T00:00:10.000Z",
    pid: 4242,
    process_exit_code: 0,
    signal: null,
  };
  const seen = restoredJob(snapshot(), false, usableExit(exit), false, true, NOW).job;
  assertEquals([seen.started_at, seen.pid, seen.state], [exit.started_at, 4242, "succeeded"]);
  const { started_at: _s, pid: _p, ...older } = exit;
  const old = restoredJob(snapshot(), false, usableExit(older), false, true, NOW).job;
  assertEquals([old.started_at, old.pid, old.state], [null, null, "succeeded"]);
  assertEquals(usableExit({ ...exit, pid: "4242" }), null, "a pid of the wrong type");
});

Deno.test("cycleBound: queued jobs on a cycle or waiting on one; chains and waits on others go free", () => {
  const q = (id: string, waiting_for: string[], state: JobState = "queued") =>
    snapshot({ job_id: id, state, waiting_for });
  const jobs = [
    q("a", ["b"]),
    q("b", ["c"]),
    q("c", ["a"]), // a → b → c → a
    q("d", ["a"]), // waits on the cycle
    q("e", ["f"]),
    q("f", ["r"]), // a chain ending at a running job: free
    q("r", [], "running"),
    q("s", ["s"]), // waits on itself
    q("t", ["gone"]), // waits on a job that was not restored: settled elsewhere
  ];
  assertEquals([...cycleBound(jobs)].sort(), ["a", "b", "c", "d", "s"]);
  assertEquals(cycleBound(jobs.filter((j) => j.job_id !== "c")).size, 1); // only s is left
});
