import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import type { Row } from "../../../src/store/db.ts";
import {
  COLUMNS,
  DirTemplate,
  fromRow,
  recordJson,
  toParams,
  TRANSITION_COLUMNS,
} from "../../../src/store/rows.ts";
import { type JobEvent, transition } from "../../../src/jobs/transitions.ts";
import { join } from "../../../src/platform/path.ts";

const base: Job = sampleJob({
  job_id: "k3f9x2a0b1c2",
  state: "running",
  command: ["ffmpeg", "-i", "in.mp4", "out.mp4"],
  cwd: "/tmp/barn",
  group: "transcode",
  job_dir: "",
  stdout_path: "",
  stderr_path: "",
});

/** The row SQLite hands back for a stored record (as toParams stores it). */
function rowOf(j: Job): Row {
  const vals = toParams(j);
  return Object.fromEntries(COLUMNS.map((c, i) => [c, vals[i]]));
}

Deno.test("recordJson is JSON.stringify(fromRow(row)), byte for byte, whatever the row holds", () => {
  const nasty = `q"b\\s\n\t\r\b\f\u0001\u007f\u2028 é 😀 <&>`;
  const jobs: Job[] = [
    base,
    {
      ...base,
      job_id: "00000000zzzz",
      state: "failed",
      tag: nasty,
      command: ["curl", nasty, "", "-d", '{"a":[1]}'],
      cwd: nasty,
      started_at: "2026-01-01T00:00:01.000Z",
      finished_at: "2026-01-01T00:00:02.000Z",
      exit_code: "E_TIMEOUT",
      process_exit_code: -15,
      signal: "SIGTERM",
      error: nasty,
      pid: 4242,
      heartbeat: "2026-01-01T00:00:01.500Z",
      supervisor: "keeper",
      supervisor_pid: 77,
      log_truncated: true,
      key: nasty,
      retry_of: "k3f9x2a0b1c2",
      latch: "L",
      name: nasty,
      group: nasty,
      after: ["aaaabbbbcccc", nasty],
      waiting_for: [nasty],
      meta: { [nasty]: [nasty, 1.5, null, { x: true }] },
      notify_urls: ["https://hooks.example.com/" + encodeURIComponent(nasty)],
      timeout_seconds: 1.5,
      stall_timeout_seconds: 300,
      verify: true,
      progress: { percent: 33.333333333333336, speed: 1e-7, updated_at: nasty },
    },
    { ...base, state: "succeeded", exit_code: 0, process_exit_code: 0 },
    { ...base, state: "failed", exit_code: -1, timeout_seconds: 1 / 3 },
    { ...base, state: "failed", exit_code: 255, stall_timeout_seconds: 0 },
    { ...base, state: "failed", exit_code: "E_HTTP_404" },
    // Ids outside the usual alphabet take the slow path; the output is the same.
    { ...base, job_id: "UPPER-case.id" },
  ];
  for (const home of ["/tmp/barn/h", `/tmp/barn/we"ird\\home`, "/tmp/barn/0id0"]) {
    const jobDir = (id: string) => join(home, "jobs", id);
    const dirs = new DirTemplate(jobDir);
    for (const j of jobs) {
      const r = rowOf(j);
      assertEquals(recordJson(r, jobDir, dirs), JSON.stringify(fromRow(r, jobDir(j.job_id))));
    }
  }
});

Deno.test("every transition changes only TRANSITION_COLUMNS, the columns writeRow stores", () => {
  const queued = sampleJob({
    job_id: "k3f9x2a0b1c3",
    state: "queued",
    latch: "L",
    waiting_for: ["a0b1c2d3e4f5"],
    job_dir: "",
    stdout_path: "",
    stderr_path: "",
  });
  const ready = { ...queued, latch: null, waiting_for: [] };
  const running = transition(ready, {
    type: "start",
    pid: 7,
    supervisor: "keeper",
    supervisor_pid: 1,
  }, "2026-01-01T00:00:01.000Z");
  const info = { process_exit_code: null, signal: "SIGKILL", log_truncated: true };
  const steps: [Job, JobEvent][] = [
    [ready, { type: "start", pid: 7, supervisor: "keeper", supervisor_pid: 1 }],
    [running, { type: "pid", pid: 8 }],
    [running, { type: "exit", info }],
    [queued, { type: "cancel", reason: "test" }],
    [queued, { type: "spawn_failed", code: "E_SPAWN", error: "x" }],
    [running, { type: "interrupted", error: "x" }],
    [queued, { type: "release" }],
    [queued, { type: "dependency_met", job_id: "a0b1c2d3e4f5" }],
    [queued, { type: "dependency_failed", error: "x" }],
  ];
  for (const [before, event] of steps) {
    const after = transition(before, event, "2026-01-01T00:00:02.000Z");
    const changed = COLUMNS.filter((c) => JSON.stringify(before[c]) !== JSON.stringify(after[c]));
    assertEquals(changed.filter((c) => !TRANSITION_COLUMNS.includes(c)), [], event.type);
    assert(changed.length > 0, event.type);
  }
});
