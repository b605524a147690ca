import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { humanListing, jobsTable, renderHuman } from "../../../src/render/human.ts";

const NASTY = `a<b>&"c'd`;

function job(over: Partial<Job> = {}): Job {
  return {
    job_id: "k3f9x2a0b1c2",
    state: "running",
    tag: NASTY,
    command: ["ffmpeg", "-i", NASTY, "-f", "null", "-"],
    cwd: "/tmp/barn",
    created_at: "2026-01-01T00:00:00.000Z",
    started_at: "2026-01-01T00:00:01.000Z",
    finished_at: null,
    exit_code: null,
    process_exit_code: null,
    signal: null,
    error: null,
    pid: 42,
    heartbeat: "2026-01-01T00:00:05.000Z",
    supervisor: "keeper",
    job_dir: "/tmp/barn/jobs/k3f9x2a0b1c2",
    stdout_path: "/tmp/barn/jobs/k3f9x2a0b1c2/stdout.log",
    stderr_path: "/tmp/barn/jobs/k3f9x2a0b1c2/stderr.log",
    log_truncated: false,
    key: null,
    retry_of: null,
    latch: null,
    timeout_seconds: null,
    stall_timeout_seconds: null,
    verify: false,
    progress: { percent: 50, speed: 1.5, eta_seconds: 4 },
    ...over,
  };
}

Deno.test("human table: golden output with a pinned clock and no colour", () => {
  const out = renderHuman({
    view: "jobs",
    jobs: [job({ tag: "probe", command: ["ffprobe", "-i", "my clip.mp4"] })],
  }, {
    color: false,
    now: new Date("2026-01-01T00:01:01.000Z"),
  });
  assertEquals(
    out,
    [
      "ID            STATE    EXIT  TAG    CREATED              TIME  COMMAND",
      "k3f9x2a0b1c2  running  -     probe  2026-01-01 00:00:00  1m    ffprobe -i 'my clip.mp4'  [######......] 50.0% 1.50x ETA 4s",
    ].join("\n"),
  );
  const colored = renderHuman({ view: "jobs", jobs: [job()] }, { color: true, now: new Date() });
  assert(colored.includes("\x1b[33m"));
});

Deno.test("human listing: one chunk prints the jobs table; later chunks keep the first one's widths", () => {
  const style = { color: false, now: new Date("2026-01-01T00:01:01.000Z") };
  const jobs = ["a", "bb", "c"].map((tag, i) => job({ job_id: `k3f9x2a0b1c${i}`, tag }));
  const whole = humanListing(style);
  assertEquals(whole.rows(jobs) + whole.end(), jobsTable(jobs, style) + "\n");
  const none = humanListing(style);
  assertEquals(none.rows([]) + none.end(), renderHuman({ view: "jobs", jobs: [] }, style) + "\n");
  // The second chunk's longer tag overflows its column instead of realigning the table.
  const r = humanListing(style);
  const later = job({ job_id: "k3f9x2a0b1c9", tag: "a-much-longer-tag" });
  const lines = (r.rows(jobs) + r.rows([later]) + r.end()).trimEnd().split("\n");
  assertEquals(lines.slice(0, 4), jobsTable(jobs, style).split("\n"));
  assert(lines[4]!.startsWith("k3f9x2a0b1c9  running  -     a-much-longer-tag  2026-01-01"));
  assertEquals(lines.length, 5);
});
