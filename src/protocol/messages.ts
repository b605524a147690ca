/** The one Request/Response union shared by client and service. */

import type { ErrorBody } from "../errors.ts";
import type { Job, JobCounts, JobEventRecord, JobSpec, JobState } from "../jobs/job.ts";

/** 2: `status` streams its records in `jobs` frames, then answers with the total (docs/architecture.md). */
export const PROTOCOL_VERSION = 2;

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
  | { kind: "shutdown"; kill_jobs: boolean }
  | { kind: "wait"; ids: string[]; tag?: string | undefined; timeout_seconds?: number | undefined }
  | {
    kind: "listen";
    tag?: string | undefined;
    since?: number | undefined;
    progress?: boolean | undefined;
  }
  | { kind: "retry"; id: string }
  | { kind: "release"; latch: string };

export type RequestKind = Request["kind"];

/** A job as `describe` shows it: the record plus the last lines of its logs. */
export interface DescribedJob extends Job {
  stdout_tail: string[];
  stderr_tail: string[];
  /** ffprobe jobs: their JSON output, parsed (null when it is not JSON or over 1 MiB). */
  result?: unknown;
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
  watchers: {
    folder: string;
    state: string;
    processed: number;
    current: string | null;
    error: string | null;
  }[];
}

export interface ResponseData {
  hello: { protocol: number; server_version: string };
  submit: { jobs: { job: Job; duplicate: boolean }[] };
  /** The records came before, in `jobs` stream frames. */
  status: { total: number };
  describe: { job: DescribedJob };
  kill: { job: Job };
  clean: { removed: Job[] };
  service_status: { status: ServiceStatus };
  reload: { restarted: boolean; changed: string[] };
  shutdown: { stopping: true };
  wait: { jobs: Job[]; timed_out: boolean };
  listen: { ended: true };
  retry: { job: Job };
  release: { jobs: Job[] };
}

/** A live progress update (`listen --progress`); not stored, so it has no seq. */
export interface ProgressEventRecord {
  seq: null;
  job_id: string;
  state: "progress";
  at: string;
  tag: string | null;
  progress: Job["progress"];
}

/** Frames a streaming request sends before its final response. */
export type StreamFrame =
  | { ok: true; stream: "event"; event: JobEventRecord | ProgressEventRecord }
  | { ok: true; stream: "jobs"; jobs: Job[] }
  | { ok: true; stream: "keepalive"; seq?: number };

/**
 * A stream frame already encoded (length header and UTF-8 JSON body): a listing's records go
 * out as the store serialized them, never built as objects and serialized again.
 */
export interface EncodedFrame {
  frame: Uint8Array;
}

export type Response<K extends RequestKind = RequestKind> =
  | ({ ok: true } & ResponseData[K])
  | { ok: false; error: ErrorBody };

export type RequestOf<K extends RequestKind> = Extract<Request, { kind: K }>;
