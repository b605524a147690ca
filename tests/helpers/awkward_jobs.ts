/** Job records with awkward values, for checks that a record survives storing and printing byte for byte. */

import type { Job } from "../../src/jobs/job.ts";
import { sampleJob } from "./job_fixture.ts";

/** Quotes, backslashes, every kind of escape JSON.stringify writes, and text it leaves alone. */
export const NASTY = `q"b\\s\n\t\r\b\f\u0000\u0001\u001f\u007f\u0080\u2028\u2029 é 😀 <&> /`;

const base: Job = sampleJob({
  job_id: "k3f9x2a0b1c2",
  state: "running",
  command: ["ffmpeg", "-i", "in.mp4", "out.mp4"],
  cwd: "/tmp/barn",
  group: "transcode",
});

/** The jobs; `plain` says whether the fast path should take it (an id of barn's alphabet). */
export function awkwardJobs(): { job: Job; plain: boolean }[] {
  const jobs: Job[] = [
    base,
    {
      ...base,
      job_id: "00000000zzzz",
      state: "failed",
      tag: NASTY,
      command: ["curl", NASTY, "", "-d", '{"a":[1]}', "[]", "{}", ",:"],
      cwd: NASTY,
      started_at: "2026-01-01T00:00:01.000Z",
      finished_at: "2026-01-01T00:00:02.000Z",
      exit_code: "E_TIMEOUT",
      process_exit_code: -15,
      signal: "SIGTERM",
      error: NASTY,
      pid: 2 ** 31 - 1,
      heartbeat: "2026-01-01T00:00:01.500Z",
      supervisor: "keeper",
      supervisor_pid: 77,
      log_truncated: true,
      key: NASTY,
      retry_of: "k3f9x2a0b1c2",
      latch: "L",
      name: NASTY,
      group: NASTY,
      after: ["aaaabbbbcccc", NASTY],
      waiting_for: [NASTY],
      meta: {
        [NASTY]: [NASTY, 1.5, null, { x: true, y: false }],
        empty_array: [],
        empty_object: {},
        nested: { a: [1, [2, [3, {}, []]]], b: { c: { d: null } } },
        numbers: [0.1, 1e21, 1e-7, 3600, -0, -42, 2 ** 53 + 2, 123456789.125, 5e-324],
        "": "empty key",
        "2": "an integer-like key",
      },
      notify_urls: ["https://hooks.example.com/" + encodeURIComponent(NASTY)],
      timeout_seconds: 0.1,
      stall_timeout_seconds: 3600,
      verify: true,
      progress: { percent: 33.333333333333336, speed: 1e-7, updated_at: NASTY },
    },
    { ...base, state: "succeeded", exit_code: 0, process_exit_code: 0, timeout_seconds: 3600 },
    {
      ...base,
      state: "failed",
      exit_code: -1,
      timeout_seconds: 1 / 3,
      stall_timeout_seconds: 1e21,
    },
    { ...base, state: "failed", exit_code: 255, stall_timeout_seconds: 0, timeout_seconds: -5 },
    { ...base, state: "failed", exit_code: "E_HTTP_404", meta: {}, progress: null },
    { ...base, exit_code: "12abc", meta: { a: [] }, tag: "" },
    // One kind of awkward character each, in otherwise plain text.
    {
      ...base,
      tag: 'say "hi"',
      error: "C:\\dir",
      cwd: "/tmp/with space",
      signal: "é",
      name: "\u007f",
    },
    { ...base, tag: "tab\there", error: "\u001b[0m", key: "\u2028", latch: "😀" },
    // A lone surrogate: JSON.stringify escapes it (SQLite stores U+FFFD in its place).
    { ...base, tag: "\ud800x", name: "x\udfff" },
  ];
  const odd: Job[] = [
    { ...base, job_id: "UPPER-case.id" },
    { ...base, job_id: 'we"ird\\id' },
  ];
  return [
    // Each its own id, of barn's alphabet, so that they can share one DB.
    ...jobs.map((job, i) => ({
      job: { ...job, job_id: `k3f9x2a0b${i}`.padEnd(12, "0") },
      plain: true,
    })),
    ...odd.map((job) => ({ job, plain: false })),
  ];
}
