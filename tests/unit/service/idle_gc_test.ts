import { assertEquals } from "../../helpers/assert.ts";
import { IdleCollector } from "../../../src/service/idle_gc.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("idle collector: one collection per quiet spell after work, none while busy", async () => {
  let runs = 0;
  const c = new IdleCollector(30, () => runs++);
  c.idle(); // no work yet: nothing to hand back
  await sleep(60);
  assertEquals(runs, 0);
  c.busy();
  c.idle();
  c.idle(); // a second quiet signal does not stack a second timer
  await sleep(60);
  assertEquals(runs, 1);
  c.idle(); // still quiet, nothing new happened
  await sleep(60);
  assertEquals(runs, 1);
  c.busy();
  c.idle();
  c.busy(); // work came back before the delay
  await sleep(60);
  assertEquals(runs, 1);
  c.idle();
  c.stop();
  await sleep(60);
  assertEquals(runs, 1);
});
