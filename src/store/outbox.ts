/** The webhook outbox: a notification row per URL of a job that ended, the due ones, each attempt. */

import type { Job } from "../jobs/job.ts";
import {
  deliveryId,
  type Notification,
  notificationBody,
  type NotificationState,
} from "../notify/notification.ts";
import type { Row } from "./db.ts";
import type { StoreBase } from "./job_rows.ts";

/**
 * One notification per URL of a job that just ended, written in the transaction that ends it,
 * so an end recorded by anyone (keeper, --offline client, kill, reconcile, a dependency's
 * failure) is delivered once a service runs. Idempotent per delivery id. `delivered` marks ids
 * a rebuild found already delivered.
 */
export function enqueue(
  s: StoreBase,
  job: Job,
  now: string,
  delivered: ReadonlyMap<string, string> = new Map(),
): void {
  const insert = s.db.stmt(
    "INSERT OR IGNORE INTO notifications (delivery_id, job_id, url, body, state, created_at, " +
      "next_attempt_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  job.notify_urls.forEach((url, i) => {
    const id = deliveryId(job.job_id, i);
    const at = delivered.get(id) ?? null;
    insert.run(
      id,
      job.job_id,
      url,
      notificationBody(job, id),
      at === null ? "pending" : "delivered",
      now,
      now,
      at,
    );
  });
}

/** A job's notifications, oldest first (describe). */
export function notificationsOf(s: StoreBase, jobId: string): Notification[] {
  return (s.db.stmt(
    "SELECT * FROM notifications WHERE job_id = ? ORDER BY delivery_id",
  ).all(jobId) as Row[]).map(notificationOf);
}

/** Pending notifications due at `now`, oldest first, with their bodies. */
export function dueNotifications(
  s: StoreBase,
  now: string,
  limit: number,
): (Notification & { job_id: string; body: string })[] {
  return (s.db.stmt(
    "SELECT * FROM notifications WHERE state = 'pending' AND next_attempt_at <= ? " +
      "ORDER BY next_attempt_at, delivery_id LIMIT ?",
  ).all(now, limit) as Row[]).map((r) => ({
    ...notificationOf(r),
    job_id: r.job_id as string,
    body: r.body as string,
  }));
}

/** When the next pending notification falls due, or null when none is pending. */
export function nextNotificationAt(s: StoreBase): string | null {
  return ((s.db.stmt(
    "SELECT MIN(next_attempt_at) AS at FROM notifications WHERE state = 'pending'",
  ).get() as Row).at as string | null) ?? null;
}

/** One delivery attempt's outcome: delivered, failed for good, or pending until `next`. */
export interface Attempt {
  at: string;
  state: NotificationState;
  status: number | null;
  error: string | null;
  next: string | null;
}

/**
 * Records one delivery attempt. A settled notification whose job was cleaned meanwhile goes at
 * once. Returns whether the job still exists.
 */
export function recordAttempt(s: StoreBase, id: string, a: Attempt): boolean {
  return s.db.tx(() => {
    s.db.stmt(
      "UPDATE notifications SET attempts = attempts + 1, last_attempt_at = ?, state = ?, " +
        "last_status = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), " +
        "delivered_at = ? WHERE delivery_id = ? AND state = 'pending'",
    ).run(
      a.at,
      a.state,
      a.status,
      a.error,
      a.next,
      a.state === "delivered" ? a.at : null,
      id,
    );
    const live = s.db.stmt(
      "SELECT 1 FROM jobs j JOIN notifications n ON n.job_id = j.job_id WHERE n.delivery_id = ?",
    ).get(id) !== undefined;
    if (!live && a.state !== "pending") {
      s.db.stmt("DELETE FROM notifications WHERE delivery_id = ?").run(id);
    }
    return live;
  });
}

function notificationOf(r: Row): Notification {
  const state = r.state as NotificationState;
  return {
    delivery_id: r.delivery_id as string,
    url: r.url as string,
    state,
    attempts: r.attempts as number,
    created_at: r.created_at as string,
    next_attempt_at: state === "pending" ? r.next_attempt_at as string : null,
    last_attempt_at: (r.last_attempt_at as string | null) ?? null,
    last_status: (r.last_status as number | null) ?? null,
    last_error: (r.last_error as string | null) ?? null,
    delivered_at: (r.delivered_at as string | null) ?? null,
  };
}
