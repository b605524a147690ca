import { assertEquals } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { jsonListing, renderJson } from "../../../src/render/json.ts";

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

Deno.test("JSON: status is an array, a job is one record, null exit while running", () => {
  const arr = JSON.parse(renderJson({ view: "jobs", jobs: [job()] }));
  assertEquals(Array.isArray(arr), true);
  assertEquals(arr[0].exit_code, null);
  const one = JSON.parse(renderJson({ view: "job", job: job(), duplicate: true }));
  assertEquals([one.job_id, one.duplicate], ["k3f9x2a0b1c2", true]);
  assertEquals(JSON.parse(renderJson({ view: "error", error: { code: "E_X", message: "m" } })), {
    error: { code: "E_X", message: "m" },
  });
});

Deno.test("JSON listing: any chunking prints the jobs view's array byte for byte", () => {
  const jobs = Array.from({ length: 7 }, (_, i) =>
    job({
      job_id: `k3f9x2a0b1c${i}`,
      error: i === 2 ? 'line one\nline two\t"quoted"' : null,
      command: ["curl", `-d{"a":[1,{"b":"\\n"}]}`, "x".repeat(i)],
      progress: i % 2 ? null : { percent: i, updated_at: "t" },
    }));
  for (const sizes of [[], [7], [1, 6], [3, 0, 3, 1], [1, 1, 1, 1, 1, 1, 1]]) {
    const shown = jobs.slice(0, sizes.reduce((a, b) => a + b, 0));
    const r = jsonListing();
    let out = "";
    let at = 0;
    for (const n of sizes) {
      out += r.rows(jobs.slice(at, at + n));
      at += n;
    }
    out += r.end();
    assertEquals(out, renderJson({ view: "jobs", jobs: shown }) + "\n", `chunks ${sizes}`);
  }
});
