/** A completion webhook as barn keeps it (the outbox row) and shows it, and what it sends (pure). */

import type { Job } from "../jobs/job.ts";

export const NOTIFICATION_STATES = ["pending", "delivered", "failed"] as const;
export type NotificationState = typeof NOTIFICATION_STATES[number];

/** One delivery of one job's final record to one URL, as `describe` shows it (never the secret). */
export interface Notification {
  /** Stable across retries, restarts and rebuilds: receivers de-duplicate on it (X-Barn-Delivery). */
  delivery_id: string;
  url: string;
  state: NotificationState;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  /** The HTTP status of the last attempt, or null when it got none (refused, timed out). */
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

/** The delivery id of a job's n-th URL (from 0): derived, so a rebuilt DB gives the same one. */
export function deliveryId(jobId: string, index: number): string {
  return `${jobId}.${index + 1}`;
}

/** What barn POSTs: the event, the delivery id and the final record. */
export function notificationBody(job: Job, delivery: string): string {
  return JSON.stringify({ event: "job.finished", delivery_id: delivery, job });
}
