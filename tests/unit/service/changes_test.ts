import { assertEquals } from "../../helpers/assert.ts";
import { type Change, Changes } from "../../../src/service/changes.ts";

Deno.test("changes: listeners hear every change; a wait ends at the first change it wants, or at its timeout", async () => {
  const changes = new Changes();
  const heard: Change[] = [];
  const off = changes.on((c) => heard.push(c));
  let woke = false;
  const ends = changes.wait(60_000, undefined, (c) => c.ends).then(() => (woke = true));
  changes.notify({ ends: false });
  await Promise.resolve();
  assertEquals(woke, false); // a start is no end
  changes.notify({ ends: true, ended: ["a"] });
  await ends;
  assertEquals(woke, true);
  off();
  changes.notify();
  assertEquals(heard, [{ ends: false }, { ends: true, ended: ["a"] }]);
  // A wait nobody wakes ends at its timeout.
  await changes.wait(1);
  assertEquals(heard.length, 2);
});
