/** The service's handler context: what every request handler may use (the store, the live config, job control). */

import type { Config } from "../config/config.ts";
import type { Job } from "../jobs/job.ts";
import type { ServiceStatus } from "../protocol/messages.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import type { Store } from "../store/store.ts";
import type { Changes } from "./changes.ts";
import type { EncodedFrame, StreamFrame } from "../protocol/messages.ts";

/** Starting and stopping jobs: the service queues them to its keeper; --offline runs them in-process. */
export interface JobControl {
  /** New queued jobs exist: start what the queue allows. */
  dispatch(): void;
  /** Stops a running job through its supervisor and resolves with the final record. */
  stopRunning(job: Job): Promise<Job>;
}

/** Service-only operations; absent under --offline. */
export interface ServiceOps {
  status(): ServiceStatus;
  reload(): Promise<{ restarted: boolean; changed: string[] }>;
  shutdown(killJobs: boolean): void;
}

export interface HandlerContext {
  store: Store;
  paths: HomePaths;
  config(): Config;
  jobs: JobControl;
  service: ServiceOps | null;
  /** Woken whenever this process learns that a job changed. */
  changes: Changes;
}

/** Sends one frame of a streaming response; rejects when the client has gone. */
export type Send = (frame: StreamFrame | EncodedFrame) => Promise<void>;
