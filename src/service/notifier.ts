/**
 * The service's webhook sender: it drains the outbox (notifications the store wrote in the
 * transaction that ended each job) in the background, signs each POST, and records every
 * attempt apart from the jobs' state events. Nothing here blocks the queue or a transition.
 */

import type { Config } from "../config/config.ts";
import { BarnError } from "../errors.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import type { Store } from "../store/store.ts";
import { markDelivered } from "../store/job_dir.ts";
import { nextAttemptAt } from "../notify/backoff.ts";
import { postDelivery } from "../notify/deliver.ts";
import { shownUrl } from "../media/userinfo.ts";
import { readNotifySecret } from "../notify/secret.ts";
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signDelivery,
  TIMESTAMP_HEADER,
} from "../notify/signature.ts";
import { VERSION } from "../version.ts";

/** Deliveries in flight at once: one slow receiver never holds up the others. */
const MAX_IN_FLIGHT = 4;

type Due = ReturnType<Store["dueNotifications"]>[number];

export class Notifier {
  readonly #inFlight = new Set<string>();
  readonly #stop = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void>[] = [];

  constructor(
    private store: Store,
    private paths: HomePaths,
    private config: () => Config,
    private log: (m: string) => void,
  ) {}

  /** Something may have fallen due (a job ended, a timer fired, a periodic look): send it. */
  wake(): void {
    if (this.#stop.signal.aborted) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let due: Due[] = [];
    try {
      // One probe of the due index first: with nothing pending (the usual case) that is all.
      const next = this.store.nextNotificationAt();
      if (next === null) return;
      const now = new Date().toISOString();
      const room = MAX_IN_FLIGHT - this.#inFlight.size;
      if (room > 0 && next <= now) {
        due = this.store.dueNotifications(now, room + this.#inFlight.size)
          .filter((n) => !this.#inFlight.has(n.delivery_id)).slice(0, room);
      }
    } catch (e) {
      this.log(`webhooks: reading the outbox failed: ${(e as Error).message}`);
    }
    for (const n of due) {
      this.#inFlight.add(n.delivery_id);
      const p = this.#send(n).finally(() => {
        this.#inFlight.delete(n.delivery_id);
        this.#running = this.#running.filter((x) => x !== p);
        this.wake();
      });
      this.#running.push(p);
    }
    this.#arm();
  }

  /** Aborts what is in flight (it stays pending for the next service) and stops. */
  async stop(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#timer);
    await Promise.allSettled(this.#running);
  }

  /** A timer for the next pending notification that is not in flight already. */
  #arm(): void {
    if (this.#inFlight.size >= MAX_IN_FLIGHT) return; // a finishing delivery wakes us
    let next: string | null = null;
    try {
      next = this.store.nextNotificationAt();
    } catch { /* the periodic wake tries again */ }
    if (next === null) return;
    const ms = Math.max(0, Math.min(Date.parse(next) - Date.now(), 60_000));
    // Due now but all due ones are in flight: their ends wake us.
    if (ms === 0 && this.#inFlight.size > 0) return;
    this.#timer = setTimeout(() => this.wake(), ms);
  }

  async #send(n: Due): Promise<void> {
    const cfg = this.config();
    const timestamp = String(Math.floor(Date.now() / 1000));
    let outcome: { ok: boolean; status: number | null; error: string | null };
    try {
      const secret = readNotifySecret(this.paths);
      const headers: Record<string, string> = {
        "user-agent": `barn/${VERSION}`,
        [DELIVERY_HEADER]: n.delivery_id,
        [TIMESTAMP_HEADER]: timestamp,
        "X-Barn-Attempt": String(n.attempts + 1),
      };
      if (secret !== null) {
        headers[SIGNATURE_HEADER] = await signDelivery(secret, timestamp, n.body);
      }
      outcome = await postDelivery(n.url, n.body, headers, this.#stop.signal);
    } catch (e) {
      // credentials.json unreadable or malformed: never send unsigned what should be signed.
      outcome = {
        ok: false,
        status: null,
        error: e instanceof BarnError ? `${e.code}: ${e.message}` : (e as Error).message,
      };
    }
    if (this.#stop.signal.aborted) return; // cut by shutdown: still pending, not an attempt
    const now = new Date();
    const attempts = n.attempts + 1;
    const next = outcome.ok ? null : nextAttemptAt(
      attempts,
      cfg.notify_backoff_seconds,
      cfg.notify_retry_for_seconds,
      n.created_at,
      now,
    );
    const state = outcome.ok ? "delivered" : next === null ? "failed" : "pending";
    try {
      const live = this.store.recordAttempt(n.delivery_id, {
        at: now.toISOString(),
        state,
        status: outcome.status,
        error: outcome.error,
        next,
      });
      if (state === "delivered" && live) {
        markDelivered(this.paths.jobDir(n.job_id), n.delivery_id, now.toISOString());
      }
    } catch (e) {
      this.log(`webhooks: recording delivery ${n.delivery_id} failed: ${(e as Error).message}`);
      return;
    }
    if (state === "failed") {
      this.log(
        `webhooks: gave up on delivery ${n.delivery_id} to ${shownUrl(n.url)} after ${attempts} ` +
          `attempts: ${outcome.error}`,
      );
    }
  }
}
