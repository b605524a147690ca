/** Request validation at the service's edge (zod stays out of the client). */

import { z } from "zod";
import { BarnError } from "../errors.ts";
import { JOB_STATES } from "../jobs/job.ts";
import type { Request } from "./messages.ts";

const str = z.string().max(4096);
const jobSpec = z.strictObject({
  command: z.array(z.string().max(65536)).min(1).max(4096),
  cwd: str,
  tag: str.nullable().optional(),
  key: str.nullable().optional(),
  retry_of: str.nullable().optional(),
  latch: str.nullable().optional(),
  timeout_seconds: z.number().positive().nullable().optional(),
  stall_timeout_seconds: z.number().min(0).nullable().optional(),
  verify: z.boolean().optional(),
  secrets: z.strictObject({
    curl_config: z.string().max(65536).optional(),
    dav_auth: z.strictObject({ user: z.string().max(4096), password: z.string().max(4096) })
      .optional(),
  }).nullable().optional(),
});

const request = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("hello"),
    protocol: z.number().int(),
    client_version: str,
    token: str.nullable().optional(),
  }),
  z.strictObject({ kind: z.literal("submit"), jobs: z.array(jobSpec).min(1).max(10000) }),
  z.strictObject({
    kind: z.literal("status"),
    filter: z.strictObject({
      state: z.enum(JOB_STATES).optional(),
      tag: str.optional(),
      since: str.optional(),
      limit: z.number().int().positive().optional(),
    }),
  }),
  z.strictObject({
    kind: z.literal("describe"),
    id: str,
    lines: z.number().int().min(0).max(10000).optional(),
  }),
  z.strictObject({ kind: z.literal("kill"), id: str }),
  z.strictObject({ kind: z.literal("clean") }),
  z.strictObject({ kind: z.literal("service_status") }),
  z.strictObject({ kind: z.literal("reload") }),
  z.strictObject({ kind: z.literal("shutdown"), kill_jobs: z.boolean() }),
  z.strictObject({
    kind: z.literal("wait"),
    ids: z.array(str).max(10000),
    tag: str.optional(),
    timeout_seconds: z.number().positive().optional(),
  }),
  z.strictObject({
    kind: z.literal("listen"),
    tag: str.optional(),
    since: z.number().int().min(0).optional(),
    progress: z.boolean().optional(),
  }),
  z.strictObject({ kind: z.literal("retry"), id: str }),
  z.strictObject({ kind: z.literal("release"), latch: str.min(1) }),
]);

/** Parses an untrusted message into a Request, or throws E_BAD_REQUEST naming the first problem. */
export function parseRequest(raw: unknown): Request {
  const r = request.safeParse(raw);
  if (r.success) return r.data as Request;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  throw new BarnError("E_BAD_REQUEST", `bad request${where}: ${issue?.message ?? "invalid"}`);
}
