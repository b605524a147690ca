/** One job record for unit tests, with every field; tests override what they look at. */

import type { Job } from "../../src/jobs/job.ts";

export function sampleJob(over: Partial<Job> = {}): Job {
  const id = over.job_id ?? "abcdefghjkmn";
  const dir = over.job_dir ?? `/tmp/barn/jobs/${id}`;
  return {
    job_id: id,
    state: "queued",
    tag: null,
    command: ["curl", "--version"],
    cwd: "/",
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
    supervisor_pid: null,
    job_dir: dir,
    stdout_path: `${dir}/stdout.log`,
    stderr_path: `${dir}/stderr.log`,
    log_truncated: false,
    key: null,
    retry_of: null,
    latch: null,
    name: null,
    group: "transfer",
    after: [],
    waiting_for: [],
    timeout_seconds: null,
    stall_timeout_seconds: null,
    verify: false,
    meta: null,
    progress: null,
    notify_urls: [],
    ...over,
  };
}
