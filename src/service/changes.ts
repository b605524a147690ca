/** A wake-up signal for handlers that wait on job changes (wait, listen); a timeout covers writers we don't hear from. */

/** What changed, as far as the notifier knows. */
export interface Change {
  /** Whether a job may have ended (false: only starts, or new jobs none of which ended). */
  ends: boolean;
  /** Every job that ended in this change, when that is known (absent: unknown which). */
  ended?: readonly string[];
}

/** A change about which nothing is known: any job may have started or ended. */
export const ANY_CHANGE: Change = { ends: true };

export class Changes {
  #listeners = new Set<(c: Change) => void>();

  /** Something changed: tell every listener and wake every waiter. */
  notify(change: Change = ANY_CHANGE): void {
    for (const l of [...this.#listeners]) l(change);
  }

  /** Calls `fn` at every change until the returned function is called. */
  on(fn: (c: Change) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Resolves at the next change that `wanted` accepts (default: any), or after `ms` (other
   * processes write the DB too).
   */
  wait(ms: number, signal?: AbortSignal, wanted?: (c: Change) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        off();
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, ms);
      const off = this.on((c) => {
        if (wanted === undefined || wanted(c)) done();
      });
      signal?.addEventListener("abort", done);
    });
  }
}
