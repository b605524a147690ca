/** When a failed webhook delivery is tried again, and when barn gives up (pure). */

/** Retries back off exponentially from the configured base, but never wait longer than this. */
export const MAX_BACKOFF_SECONDS = 600;

/**
 * The time of the next attempt after `attempts` failed ones (1 after the first failure), or null
 * when the next one would fall after `retryForSeconds` from the notification's creation: give up.
 */
export function nextAttemptAt(
  attempts: number,
  baseSeconds: number,
  retryForSeconds: number,
  createdAt: string,
  now: Date,
): string | null {
  const delay = Math.min(baseSeconds * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_SECONDS);
  const next = now.getTime() + delay * 1000;
  if (next > Date.parse(createdAt) + retryForSeconds * 1000) return null;
  return new Date(next).toISOString();
}
