import { assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";

Deno.test("unfinishedCount: right for any list length, with one cached statement", async () => {
  const home = tempHome("store");
  const store = Store.open(prepareHome(home));
  try {
    const ids = store.insert(
      Array.from({ length: 1200 }, () => ({ command: ["curl", "--version"], cwd: "/" })),
    ).map((r) => r.job.job_id);
    // Every third job ends; the rest stay queued.
    for (const id of ids.filter((_, i) => i % 3 === 0)) {
      store.apply(id, { type: "cancel", reason: "test" });
    }
    const unfinished = (list: string[]) =>
      list.filter((_, i) => ids.indexOf(list[i]!) % 3 !== 0).length;
    store.unfinishedCount(ids.slice(0, 1)); // prepares the statement
    const cached = store.db.cachedStatements;
    for (const n of [0, 1, 7, 499, 500, 501, 1000, 1200]) {
      const list = ids.slice(0, n);
      assertEquals(store.unfinishedCount(list), unfinished(list), `${n} ids`);
    }
    assertEquals(store.unfinishedCount(["nosuchjob000", ""]), 0);
    assertEquals(store.db.cachedStatements, cached);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("epoch: stable across opens of one DB file, new for a new file", async () => {
  const home = tempHome("epoch");
  try {
    const paths = prepareHome(home);
    const a = Store.open(paths);
    const epoch = a.epoch();
    a.close();
    assertEquals(/^[0-9a-f]{16}$/.test(epoch), true, epoch);
    const again = Store.open(paths);
    assertEquals(again.epoch(), epoch);
    again.close();
    for (const ext of ["", "-wal", "-shm"]) {
      try {
        Deno.removeSync(paths.db + ext);
      } catch { /* absent */ }
    }
    const fresh = Store.open(paths);
    assertEquals(fresh.epoch() === epoch, false, "a new DB file has a new epoch");
    fresh.close();
  } finally {
    await cleanupHome(home);
  }
});
