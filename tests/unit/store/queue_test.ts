import { assert, assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { RUN, spec } from "../../helpers/store_fixture.ts";

Deno.test("unfinishedOf: right for any list length, with one cached statement", async () => {
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
    const unfinished = (list: string[]) => list.filter((id) => ids.indexOf(id) % 3 !== 0);
    store.unfinishedOf(ids.slice(0, 1)); // prepares the statement
    const cached = store.db.cachedStatements;
    for (const n of [0, 1, 7, 499, 500, 501, 1000, 1200]) {
      const list = ids.slice(0, n);
      assertEquals(store.unfinishedOf(list).sort(), unfinished(list).sort(), `${n} ids`);
    }
    assertEquals(store.unfinishedOf(["nosuchjob000", ""]), []);
    assertEquals(store.db.cachedStatements, cached);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("the queue by group: ready jobs only, FIFO within each group; counts by group", async () => {
  const home = tempHome("groups");
  const store = Store.open(prepareHome(home));
  try {
    const ids = store.insert([
      spec({ command: ["ffmpeg", "-i", "x"] }),
      spec({ command: ["curl", "-V"] }),
      spec({ command: ["ffmpeg", "-i", "y"], latch: "L" }),
      spec({ command: ["ffmpeg", "-i", "z"] }),
      spec({ group: "probe", command: ["ffmpeg", "-i", "w"] }),
      spec({ label: "x", command: ["curl", "-V"], after: [] }),
    ]).map((r) => r.job.job_id);
    assertEquals(store.readyGroups(), ["probe", "transcode", "transfer"]);
    assertEquals(store.nextQueued("transcode", 5).map((j) => j.job_id), [ids[0], ids[3]]);
    const [first, second] = store.nextQueued("transcode", 5);
    assert(first!.created_at === second!.created_at && first!.seq < second!.seq);
    store.apply(ids[0]!, RUN);
    assertEquals(store.runningByGroup(), new Map([["transcode", 1]]));
    assertEquals(
      store.groupCounts(),
      new Map([
        ["transcode", { running: 1, queued: 2 }],
        ["transfer", { running: 0, queued: 2 }],
        ["probe", { running: 0, queued: 1 }],
      ]),
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
