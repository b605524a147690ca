import { XMLParser } from "fast-xml-parser";
import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { renderXml, xmlListing } from "../../../src/render/xml.ts";

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

Deno.test("XML is well-formed, escapes <&>\"', and parses back to the same values", () => {
  const xml = renderXml({
    view: "jobs",
    jobs: [job(), job({ job_id: "zzzz00000000", state: "failed", exit_code: "E_TIMEOUT" })],
  });
  assert(!xml.includes(NASTY), "raw special characters leaked into the XML");
  const doc = new XMLParser({
    parseTagValue: false,
    isArray: (name) => name === "job" || name === "arg",
  }).parse(xml);
  const [a, b] = doc.jobs.job;
  assertEquals(a.tag, NASTY);
  assertEquals(a.command.arg, ["ffmpeg", "-i", NASTY, "-f", "null", "-"]);
  assertEquals(a.exit_code, "-");
  assertEquals(a.progress.percent, "50");
  assertEquals(b.exit_code, "E_TIMEOUT");
});

Deno.test("XML errors and empty lists are well-formed", () => {
  const err = new XMLParser().parse(
    renderXml({ view: "error", error: { code: "E_USAGE", message: "<bad> & 'worse'" } }),
  );
  assertEquals(err.error.message, "<bad> & 'worse'");
  const empty = renderXml({ view: "jobs", jobs: [] });
  assert(new XMLParser().parse(empty).jobs !== undefined, empty);
});

Deno.test("XML listing: any chunking prints the jobs view's document byte for byte", () => {
  const jobs = Array.from({ length: 5 }, (_, i) =>
    job({
      job_id: `k3f9x2a0b1c${i}`,
      error: i === 1 ? "line one\n  line two <&>" : null,
      exit_code: i === 3 ? "E_TIMEOUT" : null,
    }));
  for (const sizes of [[], [5], [1, 4], [2, 0, 2, 1]]) {
    const shown = jobs.slice(0, sizes.reduce((a, b) => a + b, 0));
    const r = xmlListing();
    let out = "";
    let at = 0;
    for (const n of sizes) {
      out += r.rows(jobs.slice(at, at + n));
      at += n;
    }
    out += r.end();
    assertEquals(out, renderXml({ view: "jobs", jobs: shown }) + "\n", `chunks ${sizes}`);
  }
});
