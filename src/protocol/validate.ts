/** Request validation at the service's edge: every message is checked before any handler runs. */

import { BarnError } from "../errors.ts";
import { JOB_STATES } from "../jobs/job.ts";
import { PROTOCOL_VERSION, type Request, type RequestKind } from "./messages.ts";
import {
  array,
  bool,
  byKind,
  type Check,
  literal,
  maybe,
  num,
  oneOf,
  optional,
  str,
  strict,
} from "./shape.ts";

const s = str({ max: 4096 });
const name = str({ max: 64, min: 1 });

/** A JSON object (meta); its size is checked by the handler, its depth by the frame reader. */
const object: Check = (v, path) =>
  typeof v === "object" && v !== null && !Array.isArray(v)
    ? null
    : `expected an object${path ? ` at ${path}` : ""}`;

const jobSpec = strict({
  command: array(str({ max: 65536 }), { min: 1, max: 4096 }),
  cwd: s,
  tag: maybe(s),
  key: maybe(s),
  retry_of: maybe(s),
  latch: maybe(s),
  timeout_seconds: maybe(num({ positive: true })),
  stall_timeout_seconds: maybe(num({ min: 0 })),
  verify: optional(bool),
  name: maybe(name),
  group: maybe(name),
  after: maybe(array(s, { max: 1000 })),
  label: maybe(name),
  meta: maybe(object),
  notify_urls: maybe(array(str({ max: 2048, min: 1 }), { max: 8 })),
  secrets: maybe(strict({
    curl_configs: optional(array(
      strict({ at: num({ int: true, min: 1, max: 4096 }), text: str({ max: 65536 }) }),
      { max: 4096 },
    )),
    dav_auth: optional(strict({ user: s, password: s })),
  })),
});

/** One check per request kind; the Record type makes a missing kind a compile error. */
const variants: Record<RequestKind, Check> = {
  hello: strict({
    kind: literal("hello"),
    protocol: num({ int: true }),
    client_version: s,
    token: maybe(s),
  }),
  submit: strict({ kind: literal("submit"), jobs: array(jobSpec, { min: 1, max: 10000 }) }),
  status: strict({
    kind: literal("status"),
    filter: strict({
      state: optional(oneOf(JOB_STATES)),
      tag: optional(s),
      since: optional(s),
      limit: optional(num({ int: true, positive: true })),
      meta: optional(array(strict({ key: s, value: s }), { max: 64 })),
      oldest: optional(bool),
    }),
    text: optional(oneOf(["json"])),
  }),
  describe: strict({
    kind: literal("describe"),
    id: s,
    lines: optional(num({ int: true, min: 0, max: 10000 })),
  }),
  kill: strict({ kind: literal("kill"), id: s }),
  clean: strict({
    kind: literal("clean"),
    ids: optional(array(s, { min: 1, max: 10000 })),
    tag: optional(s),
    state: optional(oneOf(["succeeded", "failed", "canceled"])),
    older_than_seconds: optional(num({ min: 0 })),
    dry_run: optional(bool),
  }),
  service_status: strict({ kind: literal("service_status") }),
  reload: strict({ kind: literal("reload") }),
  shutdown: strict({ kind: literal("shutdown"), kill_jobs: bool }),
  wait: strict({
    kind: literal("wait"),
    ids: array(s, { max: 10000 }),
    tag: optional(s),
    timeout_seconds: optional(num({ positive: true })),
  }),
  listen: strict({
    kind: literal("listen"),
    tag: optional(s),
    since: optional(num({ int: true, min: 0 })),
    progress: optional(bool),
    epoch: optional(str({ max: 64, min: 1 })),
  }),
  retry: strict({ kind: literal("retry"), id: s }),
  release: strict({ kind: literal("release"), latch: str({ max: 4096, min: 1 }) }),
  logs: strict({
    kind: literal("logs"),
    id: s,
    which: oneOf(["stdout", "stderr", "both"]),
    tail: optional(num({ int: true, min: 0 })),
    follow: bool,
  }),
};
const request = byKind(variants);

/**
 * Parses an untrusted message into a Request, or throws E_BAD_REQUEST naming the first problem;
 * `protocol` is the version the connection's hello named (what it may ask for).
 */
export function parseRequest(raw: unknown, protocol = PROTOCOL_VERSION): Request {
  const problem = request(raw, "");
  if (problem) throw new BarnError("E_BAD_REQUEST", `bad request: ${problem}`);
  const req = raw as Request;
  if (req.kind === "status" && req.text !== undefined && protocol < 3) {
    throw new BarnError(
      "E_BAD_REQUEST",
      `bad request: status with text needs protocol 3 (this connection speaks ${protocol})`,
    );
  }
  return req;
}
