/** A wake-up signal for handlers that wait on job changes (wait, listen); a timeout covers writers we don't hear from. */

export class Changes {
  #waiters = new Set<() => void>();

  /** Something changed: wake every waiter. */
  notify(): void {
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
  }

  /** Resolves at the next notify, or after `ms` (other processes write the DB too). */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.#waiters.add(done);
      signal?.addEventListener("abort", done);
    });
  }
}
