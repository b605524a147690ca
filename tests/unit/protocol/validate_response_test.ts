import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { parseReply } from "../../../src/protocol/validate_response.ts";

const job = {
  job_id: "k3f9x2a0b1c2",
  state: "queued",
  tag: null,
  command: ["ffprobe", "-version"],
  cwd: "/tmp/barn",
  created_at: "2026-01-01T00:00:00.000Z",
  started_at: null,
  finished_at: null,
  exit_code: null,
  process_exit_code: null,
  signal: null,
  error: null,
  pid: null,
  heartbeat: null,
  supervisor: null,
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
  progress: null,
};

function invalid(kind: Parameters<typeof parseReply>[0], raw: unknown): string {
  const e = assertThrows(() => parseReply(kind, raw), BarnError);
  assertEquals(e.code, "E_PROTOCOL");
  return e.message;
}

Deno.test("replies: data, errors and frames pass; unknown fields from a newer barn are dropped", () => {
  // An older host's record (no issue 16 fields) gets what they mean there.
  // A host older than issue 16 sends none of its fields (webhooks' notify_urls included).
  const filled = {
    ...job,
    name: null,
    group: "default",
    after: [],
    waiting_for: [],
    meta: null,
    notify_urls: [],
  };
  // Records come in `jobs` frames (protocol 2), the total in the final answer.
  assertEquals(parseReply("status", { ok: true, stream: "jobs", jobs: [{ ...job, extra: "x" }] }), {
    type: "frame",
    frame: { ok: true, stream: "jobs", jobs: [filled] },
  } as never);
  assertEquals(parseReply("status", { ok: true, total: 1, extra: 2 }), {
    type: "data",
    data: { total: 1 },
  } as never);
  const piped = {
    ...job,
    name: "dl",
    group: "transfer",
    after: ["a1b2c3d4e5f6"],
    waiting_for: ["a1b2c3d4e5f6"],
    meta: { asset: "A-1" },
    notify_urls: ["https://hooks.example.com/barn"],
  };
  assertEquals(parseReply("status", { ok: true, stream: "jobs", jobs: [piped] }), {
    type: "frame",
    frame: { ok: true, stream: "jobs", jobs: [piped] },
  } as never);
  assertEquals(
    parseReply("kill", { ok: false, error: { code: "E_STATE", message: "finished", more: 1 } }),
    { type: "error", error: { code: "E_STATE", message: "finished" } },
  );
  assertEquals(
    parseReply("listen", { ok: true, stream: "keepalive", seq: 3, epoch: "ab", x: 1 }),
    { type: "frame", frame: { ok: true, stream: "keepalive", seq: 3, epoch: "ab" } },
  );
  const ev = { seq: 4, job_id: "k3f9", state: "running", at: "t", tag: "a", epoch: "ab" };
  assertEquals(parseReply("listen", { ok: true, stream: "event", event: ev }), {
    type: "frame",
    frame: { ok: true, stream: "event", event: ev },
  } as never);
  assertEquals(parseReply("logs", { ok: true, stream: "log", which: "stderr", text: "x\n" }), {
    type: "frame",
    frame: { ok: true, stream: "log", which: "stderr", text: "x\n" },
  });
  const d = parseReply("describe", {
    ok: true,
    job: { ...job, stdout_tail: ["a"], stderr_tail: [], result: { big: 1 } },
  });
  assertEquals(d.type === "data" && Object.keys(d.data.job).includes("result"), false);
  const note = {
    delivery_id: "k3f9x2a0b1c2.1",
    url: "https://h/x",
    state: "pending" as const,
    attempts: 1,
    created_at: "t",
    next_attempt_at: "t",
    last_attempt_at: "t",
    last_status: 503,
    last_error: "HTTP 503",
    delivered_at: null,
  };
  const n = parseReply("describe", {
    ok: true,
    job: { ...job, stdout_tail: [], stderr_tail: [], notifications: [{ ...note, secret: "x" }] },
  });
  assertEquals(n.type === "data" && n.data.job.notifications, [note]);
  invalid("describe", {
    ok: true,
    job: { ...job, stdout_tail: [], stderr_tail: [], notifications: [{ ...note, state: "x" }] },
  });
});

Deno.test("replies: a hostile or broken host is refused with the first problem named", () => {
  assertMatch(invalid("status", "x"), /expected an object/);
  assertMatch(invalid("status", { ok: "yes" }), /expected ok: true or false/);
  assertMatch(
    invalid("status", { ok: true, stream: "jobs", jobs: [{ ...job, state: "hacked" }] }),
    /jobs\.0\.state/,
  );
  assertMatch(
    invalid("status", { ok: true, stream: "jobs", jobs: [{ ...job, command: [1] }] }),
    /jobs\.0\.command\.0/,
  );
  assertMatch(invalid("kill", { ok: true }), /missing at job/);
  assertMatch(
    invalid("kill", { ok: false, error: { code: "rm -rf", message: "x" } }),
    /error code/,
  );
  assertMatch(invalid("listen", { ok: true, stream: "shell", cmd: "x" }), /unknown stream frame/);
  // barn-fleet asks for records: a host that sends a listing's text instead is refused.
  assertMatch(invalid("status", { ok: true, stream: "text", bytes: 10 }), /text frame/);
  assertMatch(
    invalid("listen", { ok: true, stream: "event", event: { ...job, seq: -1 } }),
    /at least 0 at event\.seq/,
  );
  assertMatch(
    invalid("hello", { ok: true, protocol: "1", server_version: "x" }),
    /expected a number at protocol/,
  );
  assertMatch(
    invalid("status", {
      ok: true,
      stream: "jobs",
      jobs: [{ ...job, progress: { percent: "lots" } }],
    }),
    /jobs\.0\.progress\.percent/,
  );
});
