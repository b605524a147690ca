import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { errorLines, renderFleetHuman } from "../../../src/fleet/render_human.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";

const style = { color: false, now: new Date("2026-01-01T00:10:00Z") };

function job(id: string, created: string, command: string[]): Job {
  return sampleJob({ job_id: id, cwd: "/tmp/barn", created_at: created, command });
}

Deno.test("fleet status: one table, newest first across hosts, HOST and HOST:ID; errors go to stderr", () => {
  const t = renderFleetHuman({
    view: "jobs",
    results: [
      {
        host: "a",
        ok: true,
        jobs: [job("aaaa00000001", "2026-01-01T00:01:00Z", ["ffprobe", "x"])],
        total: 1,
      },
      { host: "b", ok: false, error: { code: "E_SSH_AUTH", message: "b refused the ssh login" } },
      {
        host: "c",
        ok: true,
        jobs: [job("cccc00000001", "2026-01-01T00:02:00Z", ["curl", "u"])],
        total: 3,
      },
    ],
  }, style);
  assertEquals(t.out.split("\n").map((l) => l.split(/\s+/).slice(0, 3)), [
    ["HOST", "ID", "STATE"],
    ["c", "c:cccc00000001", "queued"],
    ["a", "a:aaaa00000001", "queued"],
  ]);
  assertEquals(t.err.split("\n"), [
    "barn-fleet: b: error: b refused the ssh login [E_SSH_AUTH]",
    "(c: showing the newest 1 of 3 jobs; --all shows every one)",
  ]);
});

Deno.test("fleet human output escapes what a host sent: no raw control or bidi character reaches the terminal", () => {
  const evil = job("eeee00000001", "2026-01-01T00:01:00Z", [
    "ffprobe",
    "\x1b]0;owned\x07",
    "\u202etxt.exe",
  ]);
  evil.error = "line1\nfake prompt $ \x1b[2J";
  const views = [
    renderFleetHuman({ view: "jobs", results: [{ host: "h", ok: true, jobs: [evil] }] }, style),
    renderFleetHuman({ view: "job", results: [{ host: "h", ok: true, job: evil }] }, style),
    renderFleetHuman({
      view: "jobs",
      results: [{ host: "h", ok: false, error: { code: "E_X", message: "\x1b[31m\u2066" } }],
    }, style),
  ];
  for (const v of views) {
    assert(
      // deno-lint-ignore no-control-regex
      !/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(v.out + v.err),
      v.out + v.err,
    );
  }
  assertMatch(views[1]!.out, /error: +line1\\nfake prompt \$ \\u001b\[2J/);
  assertMatch(views[2]!.err, /\\u001b\[31m\\u2066/);
});

Deno.test("fleet error lines name the host once, whether or not its message starts with it", () => {
  assertEquals(
    errorLines([
      {
        host: "h2",
        ok: false,
        error: { code: "E_NO_SERVICE", message: "h2: barn service is not running" },
      },
      { host: "h3", ok: false, error: { code: "E_TIMEOUT", message: "no answer within 5s" } },
      {
        host: "h4",
        ok: false,
        error: { code: "E_USAGE", message: "h4x: a message about another name" },
      },
    ]),
    [
      "barn-fleet: h2: error: barn service is not running [E_NO_SERVICE]",
      "barn-fleet: h3: error: no answer within 5s [E_TIMEOUT]",
      "barn-fleet: h4: error: h4x: a message about another name [E_USAGE]",
    ],
  );
});
