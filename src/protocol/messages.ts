/** The one Request/Response union shared by client and service. */

import type { ErrorBody } from "../errors.ts";
import type { Job, JobCounts, JobEventRecord, JobSpec, JobState } from "../jobs/job.ts";
import type { DbSettings } from "../store/db.ts";
import type { MetaFilter } from "../jobs/meta.ts";
import type { Notification } from "../notify/notification.ts";

/**
 * 2: `status` streams its records in `jobs` frames, then answers with the total. 3: `status` may
 * ask for its listing as printed text instead (`text: "json"`, sent in `text` frames). A service
 * speaks every version from OLDEST_PROTOCOL_VERSION up, each as the client's hello names it
 * (docs/architecture.md).
 */
export const PROTOCOL_VERSION = 3;
/** The oldest client protocol the service still serves: version 3 only added to version 2. */
export const OLDEST_PROTOCOL_VERSION = 2;

export interface StatusFilter {
  state?: JobState | undefined;
  tag?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  /** Jobs whose meta has every one of these key/value pairs. */
  meta?: MetaFilter[] | undefined;
  /** Oldest first, the queue's order (`barn top`); newest first otherwise. */
  oldest?: boolean | undefined;
}

/** What `clean` removes: without ids or a filter, the default sweep (docs/output.md). */
export interface CleanRequest {
  kind: "clean";
  ids?: string[] | undefined;
  tag?: string | undefined;
  state?: "succeeded" | "failed" | "canceled" | undefined;
  older_than_seconds?: number | undefined;
  dry_run?: boolean | undefined;
}

export type Request =
  | { kind: "hello"; protocol: number; client_version: string; token?: string | null }
  | { kind: "submit"; jobs: JobSpec[] }
  | {
    kind: "status";
    filter: StatusFilter;
    /** Protocol 3: the listing as `barn status --output=json` prints it, in `text` frames. */
    text?: "json" | undefined;
  }
  | { kind: "describe"; id: string; lines?: number | undefined }
  | { kind: "kill"; id: string }
  | CleanRequest
  | { kind: "service_status" }
  | { kind: "reload" }
  | { kind: "shutdown"; kill_jobs: boolean }
  | { kind: "wait"; ids: string[]; tag?: string | undefined; timeout_seconds?: number | undefined }
  | {
    kind: "listen";
    tag?: string | undefined;
    since?: number | undefined;
    progress?: boolean | undefined;
    /** The store epoch `since` belongs to; when the store's differs, `since` is void. */
    epoch?: string | undefined;
  }
  | { kind: "retry"; id: string }
  | { kind: "release"; latch: string }
  | {
    kind: "logs";
    id: string;
    which: LogWhich;
    /** Start this many lines from the end (absent: from the start). */
    tail?: number | undefined;
    /** Keep sending until the job ends. */
    follow: boolean;
  };

/** Which of a job's logs a `logs` request reads. */
export type LogWhich = "stdout" | "stderr" | "both";

export type RequestKind = Request["kind"];

/** A job as `describe` shows it: the record plus the last lines of its logs. */
export interface DescribedJob extends Job {
  stdout_tail: string[];
  stderr_tail: string[];
  /** ffprobe jobs: their JSON output, parsed (null when it is not JSON or over 1 MiB). */
  result?: unknown;
  /** Its completion webhooks and how their delivery stands (absent from older services). */
  notifications?: Notification[];
}

export interface ServiceStatus {
  state: "up" | "down";
  pid: number | null;
  uptime_seconds: number | null;
  version: string;
  home: string;
  endpoint: string;
  started_at: string | null;
  /** The cap on all running jobs (null: none, or the service is down). */
  max_parallel: number | null;
  /** Each queue group with its limit and its running and queued jobs (absent while down). */
  groups?: { name: string; limit: number; running: number; queued: number }[];
  jobs: JobCounts | null;
  /** The SQLite settings in force; null while the service is down. */
  store: DbSettings | null;
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
  /** The records came before, in `jobs` stream frames (or as text, in `text` frames). */
  status: { total: number };
  describe: { job: DescribedJob };
  kill: { job: Job };
  clean: { removed: Job[]; dry_run: boolean };
  service_status: { status: ServiceStatus };
  reload: { restarted: boolean; changed: string[] };
  shutdown: { stopping: true };
  wait: { jobs: Job[]; timed_out: boolean };
  listen: { ended: true };
  retry: { job: Job };
  release: { jobs: Job[] };
  logs: { job: Job };
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

/** What `listen` streams: a stored change or a progress update, with the store's epoch. */
export type ListenEvent = (JobEventRecord | ProgressEventRecord) & { epoch?: string };

/** Frames a streaming request sends before its final response. */
export type StreamFrame =
  | { ok: true; stream: "event"; event: ListenEvent }
  | { ok: true; stream: "jobs"; jobs: Job[] }
  | {
    ok: true;
    stream: "keepalive";
    seq?: number;
    epoch?: string;
    /** The request's epoch was not the store's: its `since` was ignored and the stream starts at 0. */
    epoch_changed?: boolean;
  }
  | { ok: true; stream: "log"; which: "stdout" | "stderr"; text: string }
  /**
   * The next bytes of a listing's printed text (`status` with `text`). On the wire, a frame
   * `{"ok": true, "stream": "text", "bytes": N}` followed by those N bytes, unframed. Valid
   * until the next frame is read.
   */
  | { ok: true; stream: "text"; text: Uint8Array };

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
