/** Messages between the service and the keeper (the long-lived supervisor of every service job). */

import type { Job } from "../jobs/job.ts";
import type { StopReason } from "../jobs/transitions.ts";

export const KEEPER_PROTOCOL = 1;

export type KeeperRequest =
  | { kind: "hello"; protocol: number }
  | { kind: "start"; job_id: string }
  | { kind: "stop"; job_id: string; reason: StopReason }
  | { kind: "list" }
  | { kind: "reload" }
  | { kind: "subscribe" };

/** Pushed to subscribers when a job ends. */
export interface KeeperEvent {
  event: "exited";
  job_id: string;
  state: Job["state"];
}
