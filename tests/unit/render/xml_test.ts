import { XMLParser, XMLValidator } from "fast-xml-parser";
import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { renderXml, xmlListing } from "../../../src/render/xml.ts";

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

Deno.test("characters XML 1.0 forbids become \\uXXXX text, so the document stays well-formed", () => {
  const EVIL = "a\x1b[2J\x00b\u202e\ufffe\ud800c\td";
  const xml = renderXml({ view: "jobs", jobs: [job({ tag: EVIL, command: ["curl", EVIL] })] });
  assertEquals(XMLValidator.validate(xml), true);
  // deno-lint-ignore no-control-regex -- checking that none of them reach the document
  assert(!/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])/.test(xml));
  const doc = new XMLParser({ parseTagValue: false, isArray: (n) => n === "job" }).parse(xml);
  // Tab and bidi marks are legal XML and stay as they are; the data format is not a terminal.
  assertEquals(doc.jobs.job[0].tag, "a\\u001b[2J\\u0000b\u202e\\ufffe\\ud800c\td");
  const err = renderXml({ view: "error", error: { code: "E_USAGE", message: `id ${EVIL}` } });
  assertEquals(XMLValidator.validate(err), true);
});

Deno.test("XML: dependency lists as <id> elements, meta as JSON text, dry runs and groups marked", () => {
  const meta = { "not an xml name": ["<x>", 1] };
  const xml = renderXml({
    view: "clean",
    dry_run: true,
    removed: [job({ after: ["aaaabbbbcccc", "ddddeeeeffff"], waiting_for: [], meta })],
  });
  assertEquals(XMLValidator.validate(xml), true);
  const doc = new XMLParser({
    parseTagValue: false,
    isArray: (n) => n === "job" || n === "id",
  }).parse(xml);
  assertEquals(doc.removed.dry_run, "true");
  const j = doc.removed.job[0];
  assertEquals(j.after.id, ["aaaabbbbcccc", "ddddeeeeffff"]);
  assertEquals(j.waiting_for, "");
  assertEquals(JSON.parse(j.meta), meta);
  const st = renderXml({
    view: "service_status",
    status: {
      state: "up",
      pid: 1,
      uptime_seconds: 1,
      version: "x",
      home: "/tmp/barn",
      endpoint: "/tmp/barn/barn.sock",
      started_at: null,
      max_parallel: null,
      groups: [{ name: "probe", limit: 8, running: 1, queued: 0 }],
      jobs: null,
      store: null,
      keeper: { state: "down", pid: null, jobs: 0 },
      watchers: [],
    },
  });
  const s = new XMLParser({ parseTagValue: false, isArray: (n) => n === "group" }).parse(st);
  assertEquals(s.service.groups.group, [{ name: "probe", limit: "8", running: "1", queued: "0" }]);
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
