/**
 * Messages between the service and the keeper (the long-lived supervisor of every service
 * job), checked at both ends. Requests carry an id that their reply echoes; the keeper also
 * pushes an event when a job ends. The version is in the socket's and the lock's names too, so a
 * new service never adopts an older keeper: the old one drains its jobs beside the new one.
 */

import type { JobState } from "../jobs/job.ts";
import type { StopReason } from "../jobs/transitions.ts";
import { OUTCOME_EXIT } from "../jobs/exit_codes.ts";
import { JOB_STATES } from "../jobs/job.ts";
import type { ErrorBody } from "../errors.ts";
import {
  bool,
  byKind,
  type Check,
  literal,
  num,
  oneOf,
  optional,
  str,
  strict,
} from "../protocol/shape.ts";

export const KEEPER_PROTOCOL = 2;

/** The keeper's socket and lock names for a protocol version (1 predates versioned names). */
export function keeperFiles(version = KEEPER_PROTOCOL): { socket: string; lock: string } {
  return version === 1
    ? { socket: "keeper.sock", lock: "keeper.lock" }
    : { socket: `keeper-v${version}.sock`, lock: `keeper-v${version}.lock` };
}

export type KeeperRequest =
  | { kind: "hello"; id: number; protocol: number }
  | { kind: "start"; id: number; job_id: string }
  | { kind: "stop"; id: number; job_id: string; reason: StopReason }
  | { kind: "reload"; id: number }
  | { kind: "subscribe"; id: number };

/** A request as its sender writes it: the client numbers it. */
export type KeeperCall = KeeperRequest extends infer R
  ? R extends { id: number } ? Omit<R, "id"> : never
  : never;

/** What the keeper answers to a request, before it is tagged with the request's id. */
export type KeeperAnswer =
  | { ok: true; pid?: number; protocol?: number; already?: boolean }
  | { ok: false; error: ErrorBody };

export type KeeperReply = KeeperAnswer & { reply_to: number };

/** Pushed to subscribers when a job ends. */
export interface KeeperEvent {
  event: "exited";
  job_id: string;
  state: JobState;
}

const id = num({ int: true, min: 0 });
const jobId = str({ max: 64, min: 1 });
const reason = strict({ code: oneOf(Object.keys(OUTCOME_EXIT)), error: str({ max: 4096 }) });

const requestCheck: Check = byKind({
  hello: strict({ kind: literal("hello"), id, protocol: num({ int: true }) }),
  start: strict({ kind: literal("start"), id, job_id: jobId }),
  stop: strict({ kind: literal("stop"), id, job_id: jobId, reason }),
  reload: strict({ kind: literal("reload"), id }),
  subscribe: strict({ kind: literal("subscribe"), id }),
});

const okReply = strict({
  reply_to: id,
  ok: literal(true),
  pid: optional(num({ int: true })),
  protocol: optional(num({ int: true })),
  already: optional(bool),
});
const errReply = strict({
  reply_to: id,
  ok: literal(false),
  error: strict({ code: str({ max: 64 }), message: str({ max: 65536 }) }),
});
const eventCheck = strict({
  event: literal("exited"),
  job_id: jobId,
  state: oneOf(JOB_STATES),
});

/** A request from the service, or a problem naming where it is malformed. */
export function parseKeeperRequest(raw: unknown): KeeperRequest | string {
  return requestCheck(raw, "") ?? (raw as KeeperRequest);
}

/** A reply or event from the keeper, or a problem naming where it is malformed. */
export function parseKeeperMessage(raw: unknown): KeeperReply | KeeperEvent | string {
  if (typeof raw === "object" && raw !== null && "event" in raw) {
    return eventCheck(raw, "") ?? (raw as KeeperEvent);
  }
  const ok = (raw as { ok?: unknown } | null)?.ok;
  const problem = ok === false ? errReply(raw, "") : okReply(raw, "");
  return problem ?? (raw as KeeperReply);
}
