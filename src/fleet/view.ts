/** What a barn-fleet command shows, as data: one result per host (or per job), rendered as human, JSON or XML. */

import type { Job } from "../jobs/job.ts";
import type { DescribedJob, ServiceStatus } from "../protocol/messages.ts";
import type { HostResult } from "./fan_out.ts";

/** `barn hostinfo --output=json` of one host. */
export interface HostInfo {
  hostname: string;
  os: string;
  arch: string;
  os_release: string;
  barn_version: string;
  barn_commit: string;
  deno_version: string;
  ffmpeg: string | null;
  ffprobe: string | null;
  curl: string | null;
  barn_home: string;
  free_bytes: number;
}

/** What `deploy` did on one host. */
export interface DeployReport {
  path: string;
  /** The new binary's `--version` line. */
  version: string;
  /** `barn service install --output=json` there, when asked for. */
  service_install: Record<string, unknown> | null;
}

export type FleetView =
  | {
    view: "jobs";
    results: HostResult<{ jobs: Job[]; total?: number; timed_out?: boolean }>[];
  }
  | { view: "job"; results: HostResult<{ job: Job | DescribedJob }>[] }
  | { view: "submitted"; results: HostResult<{ job: Job; duplicate: boolean }>[] }
  | { view: "hostinfo"; results: HostResult<{ hostinfo: HostInfo }>[] }
  | { view: "service_status"; results: HostResult<{ status: ServiceStatus }>[] }
  | { view: "deploy"; results: HostResult<{ deployed: DeployReport }>[] };
