/**
 * One full V8 collection once the queue has gone quiet. After a burst of jobs V8 keeps the
 * old generation it grew (the service drifted from ~27 to ~36 MB of anonymous memory over
 * 5000 jobs while ~10 MB was live); a collection when nothing runs or waits hands it back,
 * and costs the queue nothing. `gc` exists only under `--expose-gc` (V8_FLAGS in
 * src/platform/self.ts); without it this is a no-op.
 */

const v8gc = (globalThis as { gc?: () => void }).gc;

export class IdleCollector {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dirty = false;

  constructor(private delayMs = 2000, private collect: (() => void) | undefined = v8gc) {}

  /** Work happened: a collection is worth it at the next quiet spell. */
  busy(): void {
    this.#dirty = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Nothing runs or waits: collect after `delayMs` unless work comes back first. */
  idle(): void {
    const collect = this.collect;
    if (!collect || !this.#dirty || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#dirty = false;
      collect();
    }, this.delayMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
