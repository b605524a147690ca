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
      store.apply(id, { type: "cancel", reason: "test" }, { snapshot: false });
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
