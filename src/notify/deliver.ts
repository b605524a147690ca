/** One webhook POST (the network boundary of notifications): its outcome, never an exception. */

import { excerpt } from "../escape.ts";

export interface DeliveryOutcome {
  ok: boolean;
  /** The HTTP status, or null when none came (refused, reset, timed out). */
  status: number | null;
  error: string | null;
}

/** fetch's own message ("fetch failed") with its cause's, which says what failed (refused, DNS). */
function reason(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  const cause = (e as Error)?.cause;
  return cause instanceof Error && cause.message !== "" ? `${message}: ${cause.message}` : message;
}

/** How long one attempt may take, connection to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * POSTs `body` once. A 2xx answer delivers; anything else, a redirect included (barn does not
 * send a signed record on to another address), is a failure to try again. `stop` aborts it.
 */
export async function postDelivery(
  url: string,
  body: string,
  headers: Record<string, string>,
  stop: AbortSignal,
  timeoutMs = DELIVERY_TIMEOUT_MS,
): Promise<DeliveryOutcome> {
  try {
    const res = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
      redirect: "manual",
      signal: AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]),
    });
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    return {
      ok: false,
      status: res.status,
      error: res.status >= 300 && res.status < 400
        ? `HTTP ${res.status}: a redirect, which barn does not follow; notify the final URL`
        : `HTTP ${res.status}`,
    };
  } catch (e) {
    const name = (e as Error)?.name;
    return {
      ok: false,
      status: null,
      error: name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000}s`
        : excerpt(reason(e), 200),
    };
  }
}
