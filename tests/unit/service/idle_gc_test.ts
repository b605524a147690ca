import { assertEquals } from "../../helpers/assert.ts";
import { IdleCollector, type Timers } from "../../../src/service/idle_gc.ts";

/** Timers the test fires by hand: no waiting on the clock. */
function manualTimers(): Timers & { pending(): number[]; fire(): void } {
  let next = 1;
  const due = new Map<number, { fn: () => void; ms: number }>();
  return {
    set(fn, ms) {
      due.set(next, { fn, ms });
      return next++;
    },
    clear(id) {
      due.delete(id as number);
    },
    pending: () => [...due.values()].map((t) => t.ms),
    fire() {
      const all = [...due.values()];
      due.clear();
      for (const t of all) t.fn();
    },
  };
}

Deno.test("idle collector: one collection per quiet spell after work, none while busy", () => {
  let runs = 0;
  const t = manualTimers();
  const c = new IdleCollector(30, () => runs++, t);
  c.idle(); // no work yet: nothing to hand back
  assertEquals(t.pending(), []);
  c.busy();
  c.idle();
  c.idle(); // a second quiet signal does not stack a second timer
  assertEquals(t.pending(), [30]);
  t.fire();
  assertEquals(runs, 1);
  c.idle(); // still quiet, nothing new happened
  assertEquals(t.pending(), []);
  c.busy();
  c.idle();
  c.busy(); // work came back before the delay: the pending collection is dropped
  assertEquals(t.pending(), []);
  t.fire();
  assertEquals(runs, 1);
  c.idle();
  assertEquals(t.pending(), [30]);
  c.stop();
  assertEquals(t.pending(), []);
  t.fire();
  assertEquals(runs, 1);
});

Deno.test("idle collector: without gc (no --expose-gc) it never schedules anything", () => {
  const t = manualTimers();
  const c = new IdleCollector(30, undefined, t);
  c.busy();
  c.idle();
  assertEquals(t.pending(), []);
});
