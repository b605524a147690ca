import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { renderHuman } from "../../../src/render/human.ts";

const NASTY = `a<b>&"c'd`;

function job(over: Partial<Job> = {}): Job {
  return sampleJob({
    job_id: "k3f9x2a0b1c2",
    state: "running",
    tag: NASTY,
    command: ["ffmpeg", "-i", NASTY, "-f", "null", "-"],
    cwd: "/tmp/barn",
    started_at: "2026-01-01T00:00:01.000Z",
    pid: 42,
    heartbeat: "2026-01-01T00:00:05.000Z",
    supervisor: "keeper",
    job_dir: "/tmp/barn/jobs/k3f9x2a0b1c2",
    progress: { percent: 50, speed: 1.5, eta_seconds: 4 },
    ...over,
  });
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
