import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { fitCommand, humanListing, jobsTable, renderHuman } from "../../../src/render/human.ts";
import { textWidth } from "../../../src/render/width.ts";

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

Deno.test("human output escapes control and bidi characters in every user-given field", () => {
  const EVIL = "ok\x1b[2J\u202eevil\r\nx";
  const j = job({
    tag: EVIL,
    command: ["curl", EVIL],
    cwd: `/tmp/barn/${EVIL}`,
    error: EVIL,
    key: EVIL,
    latch: EVIL,
    name: EVIL,
    group: EVIL,
    after: [EVIL],
    waiting_for: [EVIL],
    meta: { [EVIL]: EVIL },
    state: "failed",
  });
  const outs = [
    renderHuman({ view: "jobs", jobs: [j] }, { color: false, now: new Date(0) }),
    renderHuman({ view: "jobs", jobs: [{ ...j, state: "queued" }] }, {
      color: false,
      now: new Date(0),
    }),
    renderHuman({ view: "job", job: j, duplicate: true, note: EVIL }, {
      color: true,
      now: new Date(0),
    }),
    renderHuman({ view: "job", job: { ...j, stdout_tail: [EVIL], stderr_tail: [] } }, {
      color: false,
      now: new Date(0),
    }),
    renderHuman({ view: "submitted", jobs: [{ job: j, duplicate: true }] }, {
      color: false,
      now: new Date(0),
    }),
    renderHuman({ view: "clean", removed: [j] }, { color: false, now: new Date(0) }),
    renderHuman({ view: "error", error: { code: "E_USAGE", message: EVIL } }, {
      color: false,
      now: new Date(0),
    }),
    renderHuman({ view: "message", message: `${EVIL}\nsecond line`, data: {} }, {
      color: false,
      now: new Date(0),
    }),
  ];
  for (const out of outs) {
    // Colour codes are barn's own (\x1b[3Xm); no other escape sequence, bidi override or CR remains.
    // deno-lint-ignore no-control-regex -- barn's colour codes
    const stripped = out.replace(/\x1b\[(3\d|0)m/g, "");
    // deno-lint-ignore no-control-regex -- what must not reach the terminal
    assert(!/[\x00-\x09\x0b-\x1f\u202e]/.test(stripped), JSON.stringify(out));
    assert(out.includes("\\u001b[2J") && out.includes("\\u202eevil"), out);
  }
  assertEquals(outs[7]!.split("\n").length, 3); // a message keeps its own line breaks
});

Deno.test("human: a waiting job's marker, the pipeline fields, a dry-run clean, groups in service status", () => {
  const style = { color: false, now: new Date("2026-01-01T00:01:01.000Z") };
  const waiting = job({
    state: "queued",
    started_at: null,
    pid: null,
    progress: null,
    tag: null,
    command: ["curl", "-V"],
    name: "up",
    group: "transfer",
    after: ["aaaabbbbcccc", "ddddeeeeffff"],
    waiting_for: ["aaaabbbbcccc", "ddddeeeeffff", "gggghhhhjjjj", "kkkkmmmmnnnn"],
    latch: "gate",
    meta: { asset: "A-1" },
  });
  assertEquals(
    renderHuman({ view: "jobs", jobs: [waiting] }, style).split("\n")[1],
    "k3f9x2a0b1c2  queued  -     -    2026-01-01 00:00:00  -     curl -V  (waiting for " +
      "aaaabbbbcccc, ddddeeeeffff, gggghhhhjjjj and 1 more; held on 'gate')",
  );
  const block = renderHuman({ view: "job", job: waiting }, style);
  for (
    const line of [
      "name:        up",
      "group:       transfer",
      "after:       aaaabbbbcccc, ddddeeeeffff",
      'meta:        {"asset":"A-1"}',
    ]
  ) assert(block.includes(line), block);
  assert(!block.includes("progress:"), block);
  assertEquals(
    renderHuman({ view: "clean", removed: [waiting], dry_run: true }, style).split("\n")[0],
    "would remove 1 job:",
  );
  const status = renderHuman({
    view: "service_status",
    status: {
      state: "up",
      pid: 1,
      uptime_seconds: 1,
      version: "x",
      home: "/tmp/barn",
      endpoint: "/tmp/barn/barn.sock",
      started_at: null,
      max_parallel: 6,
      groups: [{ name: "transcode", limit: 2, running: 2, queued: 5 }],
      jobs: null,
      store: null,
      keeper: { state: "down", pid: null, jobs: 0 },
      watchers: [],
    },
  }, style);
  assert(status.includes("max_parallel: 6 (a cap on all groups together)"), status);
  assert(status.includes("group:        transcode: 2/2 running, 5 queued"), status);
});

Deno.test("human table fits the terminal: the command is cut first, then the progress; never wider", () => {
  const long = job({
    tag: "batch",
    command: [
      "ffmpeg",
      "-i",
      "/tmp/barn/input/a-very-long-file-name-for-a-talk.mp4",
      "-c:v",
      "libx264",
      "out.mp4",
    ],
    progress: { percent: 34.1, speed: 0.97, eta_seconds: 240 },
  });
  const queued = job({ state: "queued", started_at: null, progress: null, tag: "日本語タグ" });
  const now = new Date("2026-01-01T00:01:01.000Z");
  const unlimited = renderHuman({ view: "jobs", jobs: [long, queued] }, { color: false, now });
  assert(unlimited.split("\n")[1]!.length > 120, "the fixture must overflow 120 columns");
  for (const width of [80, 120]) {
    for (const color of [false, true]) {
      const out = renderHuman({ view: "jobs", jobs: [long, queued] }, { color, now, width });
      // deno-lint-ignore no-control-regex
      const lines = out.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
      assertEquals(lines.length, 3, "one line per row: nothing wraps");
      for (const l of lines) assert(textWidth(l) <= width, `${textWidth(l)} > ${width}: ${l}`);
    }
  }
  const at120 = renderHuman({ view: "jobs", jobs: [long] }, { color: false, now, width: 120 })
    .split("\n")[1]!;
  // At 120 columns the whole progress stays, the command gives way.
  assert(at120.endsWith("[####........] 34.1% 0.97x ETA 4m"), at120);
  assert(at120.includes("ffmpeg -i /tmp/barn/i…  [####"), at120);
  const at80 = renderHuman({ view: "jobs", jobs: [long] }, { color: false, now, width: 80 })
    .split("\n")[1]!;
  assert(at80.includes("ffmpeg -i /…  [#"), at80);
  assert(at80.endsWith("…"), at80);
});

Deno.test("fitCommand keeps both when they fit and cuts the command before the progress", () => {
  assertEquals(fitCommand("ffprobe x", "", 40), "ffprobe x");
  assertEquals(
    fitCommand("ffmpeg -i input.mp4 out.mp4", "[##..] 50.0%", 30),
    "ffmpeg -i input…  [##..] 50.0%",
  );
  assertEquals(
    fitCommand("ffmpeg -i input.mp4 out.mp4", "[##..] 50.0%", 20),
    "ffmpeg -i i…  [##..…",
  );
  assertEquals(fitCommand("ffprobe a-long-argument", "", 10), "ffprobe a…");
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
