/** The result file of a JobSpec: always written, next to the JobSpec in its final folder. */

export type ClipStatus = "COMPLETED" | "FAILED" | "SKIPPED";
export type FinalStatus = "COMPLETED" | "FAILED" | "PARTIAL";

export interface ClipResult {
  source_path: string;
  resolved_output_path: string | null;
  preset: string | null;
  status: ClipStatus;
  exit_code: number | string | null;
  output_exists: boolean;
  output_size_bytes: number | null;
  ffmpeg_command: string[] | null;
  barn_job_id: string | null;
  started_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  failure_reason: string | null;
}

export interface RecoveryInfo {
  reason: string;
  recovered_at: string;
  original_path: string;
  barn_jobs: {
    barn_job_id: string;
    state: string;
    exit_code: number | string | null;
    action: string;
  }[];
}

export interface JobSpecResult {
  job_id: string | null;
  final_status: FinalStatus;
  failure_reason: string | null;
  errors: string[];
  clips: ClipResult[];
  partial_outputs: string[];
  started_at: string;
  completed_at: string;
  duration_seconds: number;
  _metadata: { jobspec_path: string; result_written_at: string; runner: string };
  _recovery?: RecoveryInfo;
}

/**
 * The result recovery writes for a JobSpec an interrupted runner left: no clip ran under this
 * runner, and `_recovery` says why and what became of its barn jobs.
 */
export function recoveredResult(
  r: {
    jobId: string | null;
    status: "COMPLETED" | "FAILED";
    reason: string;
    errors: string[];
    originalPath: string;
    barnJobs: RecoveryInfo["barn_jobs"];
  },
  at: string,
): Omit<JobSpecResult, "_metadata"> {
  return {
    job_id: r.jobId,
    final_status: r.status,
    failure_reason: r.reason,
    errors: r.errors,
    clips: [],
    partial_outputs: [],
    started_at: at,
    completed_at: at,
    duration_seconds: 0,
    _recovery: {
      reason: r.reason,
      recovered_at: at,
      original_path: r.originalPath,
      barn_jobs: r.barnJobs,
    },
  };
}

export function seconds(from: string, to: string): number {
  return Math.round(Date.parse(to) - Date.parse(from)) / 1000;
}
