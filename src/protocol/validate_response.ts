/**
 * Validation of what a remote barn sends back (barn-fleet): every answer and stream frame from a
 * host is untrusted, so each is checked against its shape before use, and job records are
 * projected onto the fields this barn knows, so nothing unchecked reaches the output.
 */

import { BarnError, type ErrorBody } from "../errors.ts";
import { type Job, JOB_FIELDS, JOB_STATES } from "../jobs/job.ts";
import { NOTIFICATION_STATES } from "../notify/notification.ts";
import type { RequestKind, ResponseData, StreamFrame } from "./messages.ts";
import {
  anyOf,
  array,
  bool,
  type Check,
  known,
  maybe,
  num,
  oneOf,
  optional,
  pick,
  str,
} from "./shape.ts";

/** One answer from a host: data, a structured error, or a frame of a streaming request. */
export type Reply<K extends RequestKind> =
  | { type: "data"; data: ResponseData[K] }
  | { type: "error"; error: ErrorBody }
  | { type: "frame"; frame: StreamFrame };

const s = str({ max: 65536 });
const nul: Check = (v, path) => (v === null ? null : `expected null${path ? ` at ${path}` : ""}`);
const int = num({ int: true });
const count = num({ int: true, min: 0 });
const isTrue: Check = (
  v,
  path,
) => (v === true ? null : `expected true${path ? ` at ${path}` : ""}`);

const PROGRESS_NUMBERS = [
  "percent",
  "out_time_seconds",
  "duration_seconds",
  "speed",
  "fps",
  "frame",
  "total_size",
  "bytes_done",
  "bytes_total",
  "rate_bps",
  "eta_seconds",
] as const;
const PROGRESS_KEYS = [...PROGRESS_NUMBERS, "updated_at"];
const progress = known({
  ...Object.fromEntries(PROGRESS_NUMBERS.map((k) => [k, optional(num())])),
  updated_at: optional(s),
});

const jobFields = {
  job_id: str({ max: 64, min: 1 }),
  state: oneOf(JOB_STATES),
  tag: maybe(s),
  command: array(s, { max: 4096 }),
  cwd: s,
  created_at: s,
  started_at: maybe(s),
  finished_at: maybe(s),
  exit_code: maybe(anyOf(int, str({ max: 64 }))),
  process_exit_code: maybe(int),
  signal: maybe(str({ max: 64 })),
  error: maybe(s),
  pid: maybe(int),
  heartbeat: maybe(s),
  supervisor: maybe(oneOf(["keeper", "offline"])),
  supervisor_pid: maybe(int),
  job_dir: s,
  stdout_path: s,
  stderr_path: s,
  log_truncated: bool,
  key: maybe(s),
  retry_of: maybe(s),
  latch: maybe(s),
  timeout_seconds: maybe(num()),
  stall_timeout_seconds: maybe(num()),
  verify: bool,
  // Issue 16's fields: a host running an older barn leaves them out.
  name: maybe(s),
  group: optional(str({ max: 64 })),
  after: optional(array(str({ max: 64 }), { max: 1000 })),
  waiting_for: optional(array(str({ max: 64 }), { max: 1000 })),
  meta: maybe(known({})),
  progress: maybe(progress),
  notify_urls: optional(array(s, { max: 64 })),
};
const job = known(jobFields);
const tail = array(s, { max: 10000 });
const notification = known({
  delivery_id: str({ max: 128, min: 1 }),
  url: s,
  state: oneOf(NOTIFICATION_STATES),
  attempts: count,
  created_at: s,
  next_attempt_at: maybe(s),
  last_attempt_at: maybe(s),
  last_status: maybe(int),
  last_error: maybe(s),
  delivered_at: maybe(s),
});
const described = known({
  ...jobFields,
  stdout_tail: tail,
  stderr_tail: tail,
  notifications: optional(array(notification, { max: 64 })),
});
const jobs = array(job, { max: 1_000_000 });

const counts = known({
  queued: count,
  running: count,
  succeeded: count,
  failed: count,
  canceled: count,
});
const serviceStatus = known({
  state: oneOf(["up", "down"]),
  pid: maybe(int),
  uptime_seconds: maybe(num()),
  version: str({ max: 256 }),
  home: s,
  endpoint: s,
  started_at: maybe(s),
  max_parallel: maybe(int),
  groups: optional(array(
    known({ name: str({ max: 64 }), limit: count, running: count, queued: count }),
    { max: 1000 },
  )),
  jobs: maybe(counts),
  store: maybe(known({
    path: s,
    journal_mode: str({ max: 32 }),
    synchronous: str({ max: 32 }),
    submit_synchronous: str({ max: 32 }),
    busy_timeout_ms: count,
    schema_version: count,
  })),
  keeper: known({ state: oneOf(["up", "down"]), pid: maybe(int), jobs: count }),
  watchers: array(
    known({ folder: s, state: s, processed: count, current: maybe(s), error: maybe(s) }),
    { max: 1000 },
  ),
});

/** Each answer's data, by the request kind it answers; the Record makes a missing kind a compile error. */
const answers: Record<RequestKind, Check> = {
  hello: known({ protocol: int, server_version: str({ max: 256 }) }),
  submit: known({ jobs: array(known({ job, duplicate: bool }), { max: 10000 }) }),
  status: known({ total: count }),
  describe: known({ job: described }),
  kill: known({ job }),
  clean: known({ removed: jobs, dry_run: optional(bool) }),
  service_status: known({ status: serviceStatus }),
  reload: known({ restarted: bool, changed: array(s, { max: 1000 }) }),
  shutdown: known({ stopping: isTrue }),
  wait: known({ jobs, timed_out: bool }),
  listen: known({ ended: isTrue }),
  retry: known({ job }),
  release: known({ jobs }),
  logs: known({ job }),
};

/** Error codes are barn's `E_…` names; anything else from a host is refused. */
const code: Check = (v, path) =>
  typeof v === "string" && /^E_[A-Z0-9_]{1,60}$/.test(v)
    ? null
    : `expected an error code like E_NOT_FOUND${path ? ` at ${path}` : ""}`;
const failure = known({ error: known({ code, message: s }) });

const frames: Record<StreamFrame["stream"], Check> = {
  event: known({
    event: known({
      seq: anyOf(nul, count),
      job_id: str({ max: 64, min: 1 }),
      state: oneOf([...JOB_STATES, "progress"]),
      at: s,
      tag: maybe(s),
      progress: maybe(progress),
      epoch: optional(str({ max: 64 })),
    }),
  }),
  keepalive: known({
    seq: optional(count),
    epoch: optional(str({ max: 64 })),
    epoch_changed: optional(bool),
  }),
  log: known({ which: oneOf(["stdout", "stderr"]), text: str({ max: 1024 * 1024 }) }),
  jobs: known({ jobs }),
  // barn-fleet asks for records, never for a listing's printed text.
  text: () => "a text frame, which barn-fleet never asks for",
};

const NOTIFICATION_KEYS = [
  "delivery_id",
  "url",
  "state",
  "attempts",
  "created_at",
  "next_attempt_at",
  "last_attempt_at",
  "last_status",
  "last_error",
  "delivered_at",
];

function invalid(problem: string): BarnError {
  return new BarnError("E_PROTOCOL", `the host sent an invalid answer: ${problem}`);
}

function cleanProgress(p: unknown): Job["progress"] {
  return p === null || p === undefined ? null : pick(p, PROGRESS_KEYS);
}

/** A job record with only the fields this barn knows (and describe's tails when asked for). */
function cleanJob(raw: unknown, extra: readonly string[] = []): Job {
  const j = pick<Job>(raw, [...JOB_FIELDS, ...extra]);
  j.progress = cleanProgress(j.progress);
  // An older host's records lack issue 16's fields: what they mean there.
  j.name ??= null;
  j.group ??= "default";
  j.after ??= [];
  j.waiting_for ??= [];
  j.meta ??= null;
  j.notify_urls ??= []; // hosts older than webhooks send none
  return j;
}

function cleanData(kind: RequestKind, raw: Record<string, unknown>): unknown {
  switch (kind) {
    case "status":
      return { total: raw.total };
    case "wait":
      return { jobs: (raw.jobs as unknown[]).map((j) => cleanJob(j)), timed_out: raw.timed_out };
    case "release":
      return { jobs: (raw.jobs as unknown[]).map((j) => cleanJob(j)) };
    case "clean":
      return {
        removed: (raw.removed as unknown[]).map((j) => cleanJob(j)),
        dry_run: raw.dry_run === true,
      };
    case "describe": {
      const job = cleanJob(raw.job, ["stdout_tail", "stderr_tail", "notifications"]) as Job & {
        notifications?: unknown[];
      };
      if (job.notifications) {
        job.notifications = job.notifications.map((n) => pick(n, NOTIFICATION_KEYS));
      }
      return { job };
    }
    case "kill":
    case "retry":
    case "logs":
      return { job: cleanJob(raw.job) };
    case "submit":
      return {
        jobs: (raw.jobs as { job: unknown; duplicate: boolean }[]).map((x) => ({
          job: cleanJob(x.job),
          duplicate: x.duplicate,
        })),
      };
    case "service_status": {
      const st = raw.status as Record<string, unknown>;
      return {
        status: {
          ...pick(st, [
            "state",
            "pid",
            "uptime_seconds",
            "version",
            "home",
            "endpoint",
            "started_at",
            "max_parallel",
          ]),
          ...(Array.isArray(st.groups)
            ? { groups: st.groups.map((g) => pick(g, ["name", "limit", "running", "queued"])) }
            : {}),
          jobs: st.jobs
            ? pick(st.jobs, ["queued", "running", "succeeded", "failed", "canceled"])
            : null,
          store: st.store
            ? pick(st.store, [
              "path",
              "journal_mode",
              "synchronous",
              "submit_synchronous",
              "busy_timeout_ms",
              "schema_version",
            ])
            : null,
          keeper: pick(st.keeper, ["state", "pid", "jobs"]),
          watchers: (st.watchers as unknown[]).map((w) =>
            pick(w, ["folder", "state", "processed", "current", "error"])
          ),
        },
      };
    }
    case "hello":
      return pick(raw, ["protocol", "server_version"]);
    case "reload":
      return pick(raw, ["restarted", "changed"]);
    case "shutdown":
      return pick(raw, ["stopping"]);
    case "listen":
      return pick(raw, ["ended"]);
  }
}

function cleanFrame(raw: Record<string, unknown>): StreamFrame {
  switch (raw.stream as StreamFrame["stream"]) {
    case "event": {
      const ev = pick<Record<string, unknown>>(raw.event, [
        "seq",
        "job_id",
        "state",
        "at",
        "tag",
        "progress",
        "epoch",
      ]);
      if (ev.tag === undefined) ev.tag = null;
      if ("progress" in ev) ev.progress = cleanProgress(ev.progress);
      return { ok: true, stream: "event", event: ev as never };
    }
    case "keepalive":
      return { ...pick(raw, ["seq", "epoch", "epoch_changed"]), ok: true, stream: "keepalive" };
    case "log":
      return {
        ...pick<{ which: "stdout" | "stderr"; text: string }>(raw, ["which", "text"]),
        ok: true,
        stream: "log",
      };
    case "jobs":
      return { ok: true, stream: "jobs", jobs: (raw.jobs as unknown[]).map((j) => cleanJob(j)) };
    case "text":
      throw invalid("a text frame, which barn-fleet never asks for");
  }
}

/** Checks one message a host sent in answer to a `kind` request; throws E_PROTOCOL naming the first problem. */
export function parseReply<K extends RequestKind>(kind: K, raw: unknown): Reply<K> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid("expected an object");
  }
  const o = raw as Record<string, unknown>;
  if (o.ok === false) {
    const problem = failure(o, "");
    if (problem) throw invalid(problem);
    const e = o.error as ErrorBody;
    return { type: "error", error: { code: e.code, message: e.message } };
  }
  if (o.ok !== true) throw invalid("expected ok: true or false");
  if (Object.hasOwn(o, "stream")) {
    const stream = o.stream;
    if (typeof stream !== "string" || !Object.hasOwn(frames, stream)) {
      throw invalid(`unknown stream frame ${JSON.stringify(String(stream)).slice(0, 40)}`);
    }
    const problem = frames[stream as StreamFrame["stream"]](o, "");
    if (problem) throw invalid(problem);
    return { type: "frame", frame: cleanFrame(o) };
  }
  const problem = answers[kind](o, "");
  if (problem) throw invalid(problem);
  return { type: "data", data: cleanData(kind, o) as ResponseData[K] };
}
