import { assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";

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

Deno.test("iterateJson: list's records as JSON, in its order, for any limit; writes go on while a listing is open", async () => {
  const home = tempHome("store");
  const store = Store.open(prepareHome(home));
  const other = Store.open(prepareHome(home));
  try {
    // Two batches of 150: the jobs of one batch share created_at, so rowid breaks the tie.
    for (const tag of ["a", "b"]) {
      store.insert(
        Array.from({ length: 150 }, (_, i) => ({ command: ["curl", `${i}`], cwd: "/", tag })),
      );
    }
    const filters = [{}, { tag: "a" }, { state: "queued" as const }, { since: "2000-01-01" }];
    for (const f of filters) {
      for (const limit of [undefined, 1, 127, 128, 129, 150, 256, 299, 300, 301]) {
        const filter = { ...f, limit };
        assertEquals(
          [...store.iterateJson(filter)],
          store.list(filter).map((j) => JSON.stringify(j)),
          JSON.stringify(filter),
        );
        // Oldest first: the same jobs from the other end, across pages and ties.
        const oldest = store.list(f).reverse().slice(0, limit).map((j) => JSON.stringify(j));
        assertEquals([...store.iterateJson({ ...filter, oldest: true })], oldest, "oldest");
      }
    }
    // Mid-listing, another connection writes and then this one does: no read is held open.
    const listing = store.iterateJson({});
    const first = listing.next();
    other.insert([{ command: ["curl", "x"], cwd: "/" }]);
    assertEquals(store.insert([{ command: ["curl", "y"], cwd: "/" }]).length, 1);
    // The listing goes on as it began: the jobs submitted since are newer than its cursor.
    assertEquals(1 + [...listing].length, 300);
    assertEquals(first.done, false);
  } finally {
    other.close();
    store.close();
    await cleanupHome(home);
  }
});
