import { assert, assertEquals } from "../../helpers/assert.ts";
import { awkwardJobs } from "../../helpers/awkward_jobs.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { jsonListing } from "../../../src/render/json.ts";
import { COLUMNS, type ListFilter, QUOTED_COLUMNS, toParams } from "../../../src/store/rows.ts";
import { Store } from "../../../src/store/store.ts";
import { checkListingTexts, recordText, removeDb, spec } from "../../helpers/store_fixture.ts";
import { iterateListing } from "../../../src/store/listing.ts";
import type { StoreBase } from "../../../src/store/job_rows.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { DatabaseSync } from "node:sqlite";

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
    removeDb(paths.db);
    const fresh = Store.open(paths);
    assertEquals(fresh.epoch() === epoch, false, "a new DB file has a new epoch");
    fresh.close();
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("iterateRecords: list's records as JSON, in its order, for any limit; writes go on while a listing is open", async () => {
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
        const list = store.list(filter);
        assertEquals(
          [...store.iterateRecords(filter, "compact")],
          list.map((j) => JSON.stringify(j)),
          JSON.stringify(filter),
        );
        assertEquals(
          [...store.iterateRecords(filter, "indented")],
          list.map((j) => JSON.stringify([j], null, 2).slice(2, -2)),
          JSON.stringify(filter),
        );
        // Oldest first: the same jobs from the other end, across pages and ties.
        const oldest = store.list(f).reverse().slice(0, limit).map((j) => JSON.stringify(j));
        assertEquals(
          [...store.iterateRecords({ ...filter, oldest: true }, "compact")],
          oldest,
          "oldest",
        );
      }
    }
    // Mid-listing, another connection writes and then this one does: no read is held open.
    const listing = store.iterateRecords({}, "indented");
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

Deno.test("iterateRecords over a real barn.db: the listing JSON.stringify(list, null, 2) prints and the records list() returns, SQLite's REALs and all", async () => {
  const home = tempHome("rectext");
  const store = Store.open(prepareHome(home));
  try {
    const jobs = awkwardJobs().map((a) => a.job);
    const insert = store.db.raw.prepare(
      `INSERT INTO jobs (${QUOTED_COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`,
    );
    // Enough rows for several pages, each awkward job many times over under its own id.
    for (let n = 0; n < 70; n++) {
      jobs.forEach((j, i) => {
        const id = j.job_id.length === 12 && /^[0-9a-z]+$/.test(j.job_id)
          ? `${j.job_id.slice(0, 8)}${String(n * 100 + i).padStart(4, "0")}`
          : `${j.job_id}-${n}`;
        const at = `2026-01-01T00:00:${String(n % 60).padStart(2, "0")}.000Z`;
        // Keys and the names of unfinished jobs are unique.
        const [key, name] = [j.key, j.name].map((v) => v === null ? null : `${v}${n}`);
        insert.run(...toParams({ ...j, job_id: id, created_at: at, key: key!, name: name! }));
      });
    }
    // The REAL columns hold SQLite's REALs (3600.0), which JavaScript reads as 3600.
    const types = store.db.raw.prepare(
      "SELECT DISTINCT typeof(stall_timeout_seconds) AS t FROM jobs",
    ).all();
    assert(types.some((t) => t.t === "real"), JSON.stringify(types));
    for (const filter of [{}, { limit: 300 }, { tag: "" }, { oldest: true, limit: 257 }]) {
      // list() reads newest first only.
      const list = filter.oldest
        ? store.list({}).reverse().slice(0, filter.limit)
        : store.list(filter);
      assert(list.length > 0);
      assertEquals(
        [...store.iterateRecords(filter, "compact")],
        list.map((j) => JSON.stringify(j)),
      );
      // The indented records, joined as the service joins them, are the listing jsonListing prints.
      const records = [...store.iterateRecords(filter, "indented")];
      const text = `[\n${records.join(",\n")}\n]\n`;
      const ref = jsonListing();
      assertEquals(text, ref.rows(list) + ref.end());
      assertEquals(text, JSON.stringify(list, null, 2) + "\n");
    }
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

/** A JSON listing's text as the service sends it: records joined, stored ones with this home's paths. */
function listingText(store: Store, filter: ListFilter): { text: string; stored: number } {
  let stored = 0;
  const records = Array.from(store.iterateListing(filter), (r) => {
    if (typeof r !== "string") stored++;
    return recordText(r);
  });
  return { text: records.length ? `[\n${records.join(",\n")}\n]\n` : "[]\n", stored };
}

Deno.test("iterateListing: stored texts and built records make the listing JSON.stringify prints, across pages of either kind, in any home the DB is opened from", async () => {
  const home = tempHome("storedtext");
  const moved = tempHome("storedmoved");
  const store = Store.open(prepareHome(home));
  try {
    const awkward = awkwardJobs().map((a) => a.job);
    // Each again without its NULs (SQLite cuts a string at one, so those rows keep no text).
    awkward.push(...awkward.map((j) => JSON.parse(JSON.stringify(j).replaceAll("\\u0000", ""))));
    // Pages that are mostly text, mostly none, and mixed: 300 finished jobs, 300 with their
    // text cleared (rows of an older barn), 300 finished again, with awkward ones among them.
    let n = 0;
    const batch = (clear: boolean) => {
      const jobs = Array.from({ length: 300 }, (_, i) => {
        const j = awkward[i % awkward.length]!;
        const id = /^[0-9a-z]{12}$/.test(j.job_id)
          ? `${j.job_id.slice(0, 7)}${String(n).padStart(5, "0")}`
          : `${j.job_id}-${n}`;
        const at = `2026-01-01T00:${String(Math.floor(n / 60)).padStart(2, "0")}:${
          String(n % 60).padStart(2, "0")
        }.000Z`;
        n++;
        const [key, name] = [j.key, j.name].map((v) => v === null ? null : `${v}${n}`);
        return {
          ...j,
          job_id: id,
          created_at: at,
          key: key!,
          name: name!,
          state: i % 7 === 0 ? "running" as const : "succeeded" as const,
          started_at: at,
          finished_at: i % 7 === 0 ? null : at,
        };
      });
      for (const j of jobs) store.restore(j);
      if (clear) {
        store.db.raw.prepare(
          "UPDATE jobs SET listing = NULL WHERE job_id IN (SELECT value FROM json_each(?))",
        ).run(JSON.stringify(jobs.map((j) => j.job_id)));
      }
    };
    batch(false);
    batch(true);
    batch(false);
    const counts = checkListingTexts(store);
    assert(counts.texts > 250 && counts.none > 300, JSON.stringify(counts));
    const opened = [store];
    // The same DB in another home: a home moved or copied. Its paths are that home's.
    Deno.mkdirSync(moved, { recursive: true });
    store.db.raw.exec(`VACUUM INTO '${moved}/barn.db'`);
    opened.push(Store.open(prepareHome(moved)));
    for (const s of opened) {
      for (
        const filter of [
          {},
          { limit: 300 },
          { limit: 1 },
          { tag: "" },
          { tag: "nope" },
          {
            oldest: true,
          },
          { oldest: true, limit: 301 },
          { state: "succeeded" as const },
          {
            since: "2026-01-01T00:04:10.000Z",
          },
        ]
      ) {
        // list() reads newest first only: oldest first is its whole list reversed, then limited.
        const list = "oldest" in filter
          ? s.list({}).reverse().slice(0, filter.limit)
          : s.list(filter);
        const { text, stored } = listingText(s, filter);
        assertEquals(text, JSON.stringify(list, null, 2) + "\n", JSON.stringify(filter));
        if (list.length === counts.texts + counts.none) {
          assertEquals(stored, counts.texts, "every stored text is listed as it is");
        }
      }
    }
    opened[1]!.close();
  } finally {
    store.close();
    await cleanupHome(home);
    await cleanupHome(moved);
  }
});

Deno.test("iterateListing: a page's two reads (texts, then the rows without one) see one snapshot: a job another process ends between them is listed as the filter found it", async () => {
  const home = tempHome("storedsnap");
  const store = Store.open(prepareHome(home));
  const other = new DatabaseSync(store.paths.db);
  try {
    const ids = store.insert([spec(), spec(), spec(), spec()]).map((r) => r.job.job_id);
    for (const id of ids.slice(1)) store.apply(id, { type: "cancel", reason: "no" });
    // Running, with no pid of any process in its row (the home's cleanup looks at those).
    store.db.raw.prepare(
      "UPDATE jobs SET state = 'running', started_at = '2026-01-01T00:00:01.000Z' WHERE job_id = ?",
    ).run(ids[0]!);
    assertEquals(checkListingTexts(store), { texts: 3, none: 1 });
    // The keeper ends the running job just after the page's first read.
    let reads = 0;
    const db = new Proxy(store.db, {
      get(target, prop) {
        if (prop !== "arrays") {
          const v = Reflect.get(target, prop, target);
          return typeof v === "function" ? v.bind(target) : v;
        }
        return (sql: string, params: readonly (string | number | null)[]) => {
          const rows = target.arrays(sql, params);
          if (reads++ === 0) {
            other.prepare(
              "UPDATE jobs SET state = 'succeeded', finished_at = '2026-01-01T00:00:09.000Z' WHERE job_id = ?",
            ).run(ids[0]!);
          }
          return rows;
        };
      },
    });
    const listed = Array.from(
      iterateListing({ db, paths: store.paths } as StoreBase, { state: "running" }),
      (r) => JSON.parse(recordText(r)) as Job,
    );
    assert(reads >= 2, `${reads} reads`);
    assertEquals(listed.map((j) => [j.job_id, j.state]), [[ids[0], "running"]]);
  } finally {
    other.close();
    store.close();
    await cleanupHome(home);
  }
});
