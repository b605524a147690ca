/**
 * One full V8 collection once the queue has gone quiet. After a burst of jobs V8 keeps the
 * old generation it grew (the service drifted from ~27 to ~36 MB of anonymous memory over
 * 5000 jobs while ~10 MB was live); a collection when nothing runs or waits hands it back,
 * and costs the queue nothing. `gc` exists only under `--expose-gc` (V8_FLAGS in
 * src/platform/self.ts); without it this is a no-op.
 */

const v8gc = (globalThis as { gc?: () => void }).gc;

/** The timer functions the collector uses (tests pass their own, to fire them at will). */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(id: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export class IdleCollector {
  #timer: unknown;
  #dirty = false;

  constructor(
    private delayMs = 2000,
    private collect: (() => void) | undefined = v8gc,
    private timers: Timers = realTimers,
  ) {}

  /** Work happened: a collection is worth it at the next quiet spell. */
  busy(): void {
    this.#dirty = true;
    this.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  /** Nothing runs or waits: collect after `delayMs` unless work comes back first. */
  idle(): void {
    const collect = this.collect;
    if (!collect || !this.#dirty || this.#timer !== undefined) return;
    this.#timer = this.timers.set(() => {
      this.#timer = undefined;
      this.#dirty = false;
      collect();
    }, this.delayMs);
  }

  stop(): void {
    this.timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
