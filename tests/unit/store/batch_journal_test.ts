import { assert, assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { committedBatchExists } from "../../../src/store/batch_journal.ts";
import { openChecked } from "../../../src/store/recovery.ts";
import { Store } from "../../../src/store/store.ts";
import { REBUILD_LATCH } from "../../../src/store/restored_job.ts";
import { removeDb, spec } from "../../helpers/store_fixture.ts";

const names = (home: string) => [...Deno.readDirSync(`${home}/jobs`)].map((e) => e.name).sort();
const filesIn = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name);

Deno.test("a batch writes one journal before its commit, no snapshot per job; a lone job keeps its job.json", async () => {
  const home = tempHome("journal");
  const paths = prepareHome(home);
  const store = Store.open(paths);
  try {
    const jobs = store.insert([spec({ tag: "a" }), spec({ tag: "b", label: "b" }), spec()])
      .map((r) => r.job);
    const journal = `${home}/jobs/${jobs[0]!.job_id}.batch.json`;
    assertEquals(
      names(home),
      [...jobs.map((j) => j.job_id), `${jobs[0]!.job_id}.batch.json`].sort(),
    );
    for (const j of jobs) assertEquals(filesIn(j.job_dir), []);
    // One record a line, each the job as it was committed.
    const lines = Deno.readTextFileSync(journal).trimEnd().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines, jobs.map((j) => store.get(j.job_id)));
    assertEquals((Deno.statSync(journal).mode ?? 0) & 0o777, 0o600);
    const [lone] = store.insert([spec()]).map((r) => r.job);
    assertEquals(filesIn(lone!.job_dir), ["job.json"]);
    // A failed batch leaves neither dirs nor a journal behind.
    const before = names(home);
    let threw = false;
    try {
      store.insert([spec(), spec({ after: ["@nosuch"] })]);
    } catch {
      threw = true;
    }
    assert(threw);
    assertEquals(names(home), before);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("a crash between a batch's journal and its answer is settled at start: committed kept, uncommitted dropped", async () => {
  const home = tempHome("journalcut");
  const paths = prepareHome(home);
  try {
    const store = Store.open(paths);
    const kept = store.insert([spec(), spec()]).map((r) => r.job);
    const gone = store.insert([spec(), spec(), spec()]).map((r) => r.job);
    // kept: committed, then the crash before the rename. gone: the crash before the commit.
    const j = (id: string, p = "") => `${home}/jobs/${id}.batch${p}.json`;
    Deno.renameSync(j(kept[0]!.job_id), j(kept[0]!.job_id, ".pending"));
    Deno.renameSync(j(gone[0]!.job_id), j(gone[0]!.job_id, ".pending"));
    const ids = gone.map((g) => g.job_id);
    store.db.raw.prepare(
      `DELETE FROM jobs WHERE job_id IN (${ids.map(() => "?").join(",")})`,
    ).run(...ids);
    store.close();
    const opened = openChecked(paths, 1000);
    try {
      assertEquals(opened.settled, { committed: 2, dropped: 3 });
      assertEquals(
        names(home),
        [...kept.map((k) => k.job_id), `${kept[0]!.job_id}.batch.json`].sort(),
      );
      for (const k of kept) assertEquals(opened.store.get(k.job_id)!.state, "queued");
    } finally {
      opened.store.close();
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a rebuild restores every job of a batch from its journal; a dir's own job.json wins; a pending one is held", async () => {
  const home = tempHome("journalrebuild");
  const paths = prepareHome(home);
  try {
    const store = Store.open(paths);
    const [a, b, c, d] = store.insert([
      spec({ tag: "t", latch: "L" }),
      spec({ tag: "t", label: "b" }),
      spec({ tag: "t", after: ["b"] }),
      spec({ tag: "t" }),
    ]).map((r) => r.job);
    // A release rewrites the job's own job.json: that, not the journal, has the last word.
    store.release("L");
    const pending = store.insert([spec({ tag: "p" }), spec({ tag: "p" })]).map((r) => r.job);
    store.close();
    Deno.writeTextFileSync(`${d!.job_dir}/job.json`, "{"); // unreadable: never the journal's instead
    const j = (id: string, p = "") => `${home}/jobs/${id}.batch${p}.json`;
    Deno.renameSync(j(pending[0]!.job_id), j(pending[0]!.job_id, ".pending"));
    removeDb(paths.db);
    const opened = openChecked(paths, 1000);
    const s = opened.store;
    try {
      assertEquals(opened.rebuilt!.report.restored, 5);
      assertEquals(opened.rebuilt!.report.held, 2);
      assertEquals(s.get(d!.job_id), null);
      assertEquals([s.get(a!.job_id)!.state, s.get(a!.job_id)!.latch], ["queued", null]);
      assertEquals(s.get(b!.job_id)!.tag, "t");
      assertEquals(s.get(c!.job_id)!.waiting_for, [b!.job_id]);
      for (const p of pending) {
        assertEquals([s.get(p.job_id)!.state, s.get(p.job_id)!.latch], ["queued", REBUILD_LATCH]);
      }
      // The rebuilt DB has the batch: its journal is committed.
      assert(Deno.statSync(j(pending[0]!.job_id)).isFile);
    } finally {
      s.close();
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a committed journal counts for a rebuild cut short only while one of its jobs has a dir", async () => {
  const home = tempHome("journal");
  const paths = prepareHome(home);
  const store = Store.open(paths);
  try {
    const jobs = store.insert([spec(), spec()]).map((r) => r.job);
    assertEquals(committedBatchExists(paths), true);
    Deno.removeSync(jobs[0]!.job_dir);
    assertEquals(committedBatchExists(paths), true);
    Deno.removeSync(jobs[1]!.job_dir);
    // Spent: its jobs were all cleaned, and a rebuild would restore none of them.
    assertEquals(committedBatchExists(paths), false);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
