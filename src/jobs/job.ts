/** The job record: the exact field names of JSON and XML output, and of job.json snapshots. */

export const JOB_STATES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export type JobState = typeof JOB_STATES[number];

export const FINISHED_STATES: readonly JobState[] = ["succeeded", "failed", "canceled"];

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.includes(state);
}

/** Live numbers from ffmpeg or a transfer; absent fields are unknown. */
export interface Progress {
  percent?: number;
  out_time_seconds?: number;
  duration_seconds?: number;
  speed?: number;
  fps?: number;
  frame?: number;
  total_size?: number;
  bytes_done?: number;
  bytes_total?: number;
  rate_bps?: number;
  eta_seconds?: number;
  updated_at?: string;
}

/** Who parents the running process: the shared keeper (service jobs) or a client (--offline). */
export type SupervisorKind = "keeper" | "offline";

export interface Job {
  job_id: string;
  state: JobState;
  tag: string | null;
  command: string[];
  cwd: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The process's code, or a symbolic code where barn decided the outcome; null while unfinished. */
  exit_code: number | string | null;
  process_exit_code: number | null;
  signal: string | null;
  error: string | null;
  pid: number | null;
  heartbeat: string | null;
  supervisor: SupervisorKind | null;
  /** The supervisor's own pid (the keeper, or the --offline client), while it runs the job. */
  supervisor_pid: number | null;
  job_dir: string;
  stdout_path: string;
  stderr_path: string;
  log_truncated: boolean;
  key: string | null;
  retry_of: string | null;
  latch: string | null;
  /** `--name`: unique among unfinished jobs; `@NAME` stands for the job wherever an id goes. */
  name: string | null;
  /** The queue group it starts in (each group has its own parallel limit). */
  group: string;
  /** The jobs it runs after (`--after`), as full ids; [] when none. */
  after: string[];
  /** Those of `after` that have not yet succeeded; a job starts only when this is []. */
  waiting_for: string[];
  timeout_seconds: number | null;
  /** Stop the job (E_STALLED) when its progress stands still this long; null = the config default. */
  stall_timeout_seconds: number | null;
  /** ffprobe the output after ffmpeg exits 0 and compare its duration (E_VERIFY). */
  verify: boolean;
  /** `--meta`: the caller's own JSON object, stored and returned as given. */
  meta: Record<string, unknown> | null;
  progress: Progress | null;
  /** Where barn POSTs the final record when the job ends: `--notify`, then config's `notify_url`. */
  notify_urls: string[];
}

/** Jobs by state, as `service status` reports them. */
export interface JobCounts {
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  canceled: number;
}

/** One state change as `listen` streams it; `seq` is stored, so a client can resume after it. */
export interface JobEventRecord {
  seq: number;
  job_id: string;
  state: JobState;
  at: string;
  tag: string | null;
}

/** What a client submits; barn fills in everything else. */
export interface JobSpec {
  command: string[];
  cwd: string;
  tag?: string | null;
  key?: string | null;
  retry_of?: string | null;
  latch?: string | null;
  timeout_seconds?: number | null;
  stall_timeout_seconds?: number | null;
  verify?: boolean;
  name?: string | null;
  /** A group named in config; absent: the group of its command (config `group_of`). */
  group?: string | null;
  /** Jobs to run after: ids, 4+ character prefixes, `@NAME`s, or labels of the same submission. */
  after?: string[] | null;
  /** A name for this job that other jobs of the same submission can put in their `after`. */
  label?: string | null;
  meta?: Record<string, unknown> | null;
  /** Completion webhooks (`--notify`); the service adds config's `notify_url`. */
  notify_urls?: string[] | null;
  /** Credentials for the job's 0600 secrets files; never stored in the DB or the record. */
  secrets?: {
    /** curl config files, one per `--next` group with credentials; `-K <file>` goes before command[at]. */
    curl_configs?: { at: number; text: string }[];
    dav_auth?: { user: string; password: string };
  } | null;
}

/** The order of fields in human `describe` and XML output. */
export const JOB_FIELDS: readonly (keyof Job)[] = [
  "job_id",
  "state",
  "tag",
  "command",
  "cwd",
  "created_at",
  "started_at",
  "finished_at",
  "exit_code",
  "process_exit_code",
  "signal",
  "error",
  "pid",
  "heartbeat",
  "supervisor",
  "supervisor_pid",
  "job_dir",
  "stdout_path",
  "stderr_path",
  "log_truncated",
  "key",
  "retry_of",
  "latch",
  "name",
  "group",
  "after",
  "waiting_for",
  "timeout_seconds",
  "stall_timeout_seconds",
  "verify",
  "meta",
  "progress",
  "notify_urls",
];
