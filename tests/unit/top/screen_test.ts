import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { initialState, withJobs } from "../../../src/top/state.ts";
import { renderScreen, waitingFor } from "../../../src/top/screen.ts";
import { textWidth } from "../../../src/render/width.ts";

const now = new Date("2026-01-01T00:01:00Z");
const EVIL = "ok\x1b[2J\u202eevil\r\nx";

function jobs() {
  return [
    sampleJob({
      job_id: "run000000001",
      state: "running",
      tag: EVIL,
      command: ["ffmpeg", "-i", `/tmp/barn/input/${EVIL}.mp4`, "-c:v", "libx264", "out.mp4"],
      started_at: "2026-01-01T00:00:00Z",
      progress: { percent: 34.1, speed: 0.97, eta_seconds: 240 },
    }),
    sampleJob({ job_id: "que000000001", state: "queued", latch: "nightly" }),
    sampleJob({
      job_id: "fai000000001",
      state: "failed",
      exit_code: "E_STALLED",
      finished_at: "2026-01-01T00:00:30Z",
    }),
  ];
}

function screen(width: number, height: number, color = false) {
  const s = { ...withJobs(initialState(), jobs()), connected: true };
  return renderScreen(s, { width, height }, { color, now });
}

Deno.test("renderScreen: exactly the terminal's rows, none wider than its columns, at 80×24 and 120×40", () => {
  for (const [w, h] of [[80, 24], [120, 40], [40, 10]] as const) {
    for (const color of [false, true]) {
      const lines = screen(w, h, color);
      assertEquals(lines.length, h);
      for (const l of lines) {
        // deno-lint-ignore no-control-regex
        const plain = l.replace(/\x1b\[[0-9;]*m/g, "");
        assert(textWidth(plain) <= w, `${textWidth(plain)} > ${w}: ${plain}`);
      }
    }
  }
});

Deno.test("renderScreen: the sections, a progress bar, the selection mark and the keys", () => {
  const lines = screen(120, 24);
  assertMatch(lines[0]!, /^barn top/);
  assertMatch(lines[1]!, /^jobs: 1 running, 1 queued, 0 succeeded, 1 failed, 0 canceled/);
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  assert(at(/^RUNNING \(1\)/) < at(/^QUEUED \(1\)/) && at(/^QUEUED/) < at(/^FINISHED \(last 1\)/));
  assertMatch(
    lines[at(/run000000001/)]!,
    /^> run000000001 {2}\[#{7}\.{13}\] {2}34\.1% {4}0\.97x ETA 4m/,
  );
  assertMatch(lines[at(/que000000001/)]!, /waiting for latch nightly/);
  assertMatch(lines[at(/fai000000001/)]!, /failed {4}exit E_STALLED/);
  assertMatch(lines[23]!, /K cancel/);
});

Deno.test("renderScreen escapes control and bidi characters in user text; NO_COLOR has no SGR", () => {
  const plain = screen(200, 24).join("\n");
  assert(!plain.includes("\x1b"), "no escape codes without colour");
  assert(!plain.includes("\u202e") && !plain.includes("\r"));
  assert(plain.includes("ok\\u001b[2J\\u202eevil\\r\\nx"));
  const colored = screen(200, 24, true).join("\n");
  // Only barn's own SGR codes: every ESC starts `ESC [ digits ; m`.
  // deno-lint-ignore no-control-regex
  assertEquals(colored.match(/\x1b(?!\[[0-9;]*m)/g), null);
});

Deno.test("waitingFor: a latch, else the jobs it depends on, else a slot", () => {
  const q = sampleJob({ state: "queued" });
  assertEquals(waitingFor(q, 3), "a slot (#3)");
  assertEquals(waitingFor({ ...q, latch: "L" }, 1), "latch L");
  assertEquals(
    waitingFor({ ...q, waiting_for: ["aaaa1111bbbb", "cccc2222dddd"] }, 1),
    "after aaaa1111bbbb,cccc2222dddd",
  );
});
