/** Parallel work over hosts with a concurrency limit and a per-host deadline; each host's answer or error, never all-or-nothing. */

import { BarnError, type ErrorBody, toErrorBody } from "../errors.ts";
import { formatDuration } from "../config/duration.ts";

/** One host's answer: `{host, ok: true, …}` or `{host, ok: false, error: {code, message}}`. */
export type HostResult<T extends object> =
  | ({ host: string; ok: true } & T)
  | { host: string; ok: false; error: ErrorBody };

export interface FanOutOptions {
  concurrency: number;
  /** Per-host limit for the whole exchange; null for none. */
  timeoutSeconds: number | null;
}

/** The deadline error a host gets; also the abort reason that kills its ssh. */
export function timeoutError(host: string, seconds: number): BarnError {
  return new BarnError(
    "E_TIMEOUT",
    `${host} did not answer within ${formatDuration(seconds)} (--timeout)`,
  );
}

/** Runs `f` for each item, at most `concurrency` at once; results keep the items' order. */
export async function fanOut<I, T extends object>(
  items: readonly I[],
  hostOf: (item: I) => string,
  opts: FanOutOptions,
  f: (item: I, signal: AbortSignal) => Promise<T>,
): Promise<HostResult<T>[]> {
  const results = new Array<HostResult<T>>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const item = items[i]!;
      const host = hostOf(item);
      const ac = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        if (opts.timeoutSeconds === null) return;
        timer = setTimeout(() => {
          const e = timeoutError(host, opts.timeoutSeconds!);
          ac.abort(e);
          reject(e);
        }, opts.timeoutSeconds * 1000);
      });
      deadline.catch(() => {});
      try {
        const value = await Promise.race([f(item, ac.signal), deadline]);
        results[i] = { host, ok: true, ...value };
      } catch (e) {
        results[i] = {
          host,
          ok: false,
          error: toErrorBody(ac.signal.aborted ? ac.signal.reason : e),
        };
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, worker),
  );
  return results;
}
