/** The one Request/Response union shared by client and service. */

import type { ErrorBody } from "../errors.ts";
import type { Job, JobSpec, JobState } from "../jobs/job.ts";
import type { JobCounts } from "../store/store.ts";

export const PROTOCOL_VERSION = 1;

export interface StatusFilter {
  state?: JobState | undefined;
  tag?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
}

export type Request =
  | { kind: "hello"; protocol: number; client_version: string; token?: string | null }
  | { kind: "submit"; jobs: JobSpec[] }
  | { kind: "status"; filter: StatusFilter }
  | { kind: "describe"; id: string; lines?: number | undefined }
  | { kind: "kill"; id: string }
  | { kind: "clean" }
  | { kind: "service_status" }
  | { kind: "reload" }
  | { kind: "shutdown"; kill_jobs: boolean };

export type RequestKind = Request["kind"];

/** A job as `describe` shows it: the record plus the last lines of its logs. */
export interface DescribedJob extends Job {
  stdout_tail: string[];
  stderr_tail: string[];
}

export interface ServiceStatus {
  state: "up" | "down";
  pid: number | null;
  uptime_seconds: number | null;
  version: string;
  home: string;
  endpoint: string;
  started_at: string | null;
  max_parallel: number | null;
  jobs: JobCounts | null;
  keeper: { state: "up" | "down"; pid: number | null; jobs: number };
}

export interface ResponseData {
  hello: { protocol: number; server_version: string };
  submit: { jobs: { job: Job; duplicate: boolean }[] };
  status: { jobs: Job[] };
  describe: { job: DescribedJob };
  kill: { job: Job };
  clean: { removed: Job[] };
  service_status: { status: ServiceStatus };
  reload: { restarted: boolean; changed: string[] };
  shutdown: { stopping: true };
}

export type Response<K extends RequestKind = RequestKind> =
  | ({ ok: true } & ResponseData[K])
  | { ok: false; error: ErrorBody };

export type RequestOf<K extends RequestKind> = Extract<Request, { kind: K }>;
