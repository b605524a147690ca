import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { openChecked } from "../../../src/store/recovery.ts";
import { Store } from "../../../src/store/store.ts";
import { checkListingTexts, removeDb, spec } from "../../helpers/store_fixture.ts";

function exitFile(dir: string, id: string, code: number): void {
  Deno.writeTextFileSync(
    `${dir}/exit.json`,
    JSON.stringify({
      job_id: id,
      finished_at: "2026-01-01T00:00:01.000Z",
      process_exit_code: code,
      signal: null,
    }),
  );
}

Deno.test("a rebuild restores dependencies from the snapshots and settles them against the ends in exit.json", async () => {
  const home = tempHome("rebuilddeps");
  const paths = prepareHome(home);
  try {
    const store = Store.open(paths);
    const [a, b, c, ok, d, gone, e, lost, f] = store.insert([
      spec({ label: "a" }),
      spec({ label: "b", after: ["a"] }),
      spec({ after: ["b"] }),
      spec({ label: "ok" }),
      spec({ after: ["ok"] }),
      spec({ label: "gone" }),
      spec({ after: ["gone"] }),
      spec({ label: "lost" }),
      spec({ after: ["lost"] }),
    ]).map((r) => r.job);
    store.close();
    // What the dirs say after barn.db is lost: a ended failed and ok succeeded (their supervisors
    // wrote exit.json, the DB never heard), gone was cleaned, lost's snapshot is unreadable.
    exitFile(a!.job_dir, a!.job_id, 2);
    exitFile(ok!.job_dir, ok!.job_id, 0);
    Deno.removeSync(gone!.job_dir, { recursive: true });
    Deno.writeTextFileSync(`${lost!.job_dir}/job.json`, "{");
    removeDb(paths.db);
    const opened = openChecked(paths, 1000);
    const s = opened.store;
    try {
      assertEquals(opened.rebuilt?.report.restored, 7); // 9, less the cleaned and the unreadable
      assertEquals(s.get(a!.job_id)!.state, "failed");
      for (const j of [b!, c!]) {
        const r = s.get(j.job_id)!;
        assertEquals([r.state, r.exit_code], ["canceled", "E_DEPENDENCY"]);
        assertMatch(r.error!, new RegExp(`^job ${a!.job_id} failed`));
        assertEquals(
          JSON.parse(Deno.readTextFileSync(`${j.job_dir}/exit.json`)).final.exit_code,
          "E_DEPENDENCY",
        );
      }
      assertEquals([s.get(d!.job_id)!.state, s.get(d!.job_id)!.waiting_for], ["queued", []]);
      assertEquals([s.get(e!.job_id)!.state, s.get(e!.job_id)!.waiting_for], ["queued", []]);
      const orphan = s.get(f!.job_id)!;
      assertEquals([orphan.state, orphan.exit_code], ["canceled", "E_DEPENDENCY"]);
      assertMatch(orphan.error!, /no longer exists/);
      assertEquals(s.get(e!.job_id)!.after, [gone!.job_id]);
      // Restored ends and the ends the rebuild settled keep listing texts of the records as read.
      const texts = checkListingTexts(s);
      assertEquals(texts.texts, 5, JSON.stringify(texts)); // a, ok, b, c and the orphan f
      const listed = [...s.iterateListing({})].filter((r) => typeof r !== "string").length;
      assertEquals(listed, 5);
    } finally {
      s.close();
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a rebuild cancels queued jobs whose hand-edited snapshots wait for each other, and their dependents", async () => {
  const home = tempHome("rebuildcycle");
  const paths = prepareHome(home);
  try {
    const store = Store.open(paths);
    const [a, b, c, free] = store.insert([
      spec({ label: "a" }),
      spec({ label: "b", after: ["a"] }),
      spec({ after: ["b"] }),
      spec({ after: ["a"] }),
    ]).map((r) => r.job);
    store.close();
    // a is edited to run after b: a and b wait for each other, c waits on them; free does not.
    // (A batch's snapshot is its journal; a job.json in the job's dir takes precedence.)
    Deno.writeTextFileSync(`${a!.job_dir}/job.json`, JSON.stringify({ ...a, after: [b!.job_id] }));
    Deno.writeTextFileSync(`${free!.job_dir}/job.json`, JSON.stringify({ ...free, after: [] }));
    removeDb(paths.db);
    const opened = openChecked(paths, 1000);
    const s = opened.store;
    try {
      assertEquals(opened.rebuilt!.report.restored, 4);
      for (const j of [a!, b!, c!]) {
        const r = s.get(j.job_id)!;
        assertEquals([r.state, r.exit_code, r.waiting_for], ["canceled", "E_DEPENDENCY", []]);
        assertEquals(
          JSON.parse(Deno.readTextFileSync(`${j.job_dir}/exit.json`)).final.exit_code,
          "E_DEPENDENCY",
        );
      }
      assertMatch(
        s.get(a!.job_id)!.error!,
        new RegExp(`waiting for ${b!.job_id}, which wait in a cycle`),
      );
      assertEquals(s.get(free!.job_id)!.state, "queued");
      // free is the one job left to start.
      assertEquals(s.readyGroups().flatMap((g) => s.nextQueued(g, 10).map((j) => j.job_id)), [
        free!.job_id,
      ]);
    } finally {
      s.close();
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a rebuild leaves out job.json files of a shape barn never writes, one by one, and runs no ended job again", async () => {
  const home = tempHome("rebuildshape");
  const paths = prepareHome(home);
  try {
    const store = Store.open(paths);
    // One at a time, so each has a job.json of its own to damage.
    const [a, b, c, d, e, f, g] = Array.from({ length: 7 }, () => store.insert([spec()])[0]!.job);
    store.close();
    const snap = (j: typeof a) => JSON.parse(Deno.readTextFileSync(`${j!.job_dir}/job.json`));
    const put = (j: typeof a, name: string, v: unknown) =>
      Deno.writeTextFileSync(
        `${j!.job_dir}/${name}`,
        typeof v === "string" ? v : JSON.stringify(v),
      );
    put(a, "job.json", { job_id: a!.job_id }); // no command: threw, and stopped the whole rebuild
    put(b, "job.json", { ...snap(b), created_at: 5 }); // threw in the sort
    put(c, "job.json", { ...snap(c), after: "x" }); // threw in waitingAfterRebuild
    put(d, "job.json", { ...snap(d), notify_urls: "http://127.0.0.1:9/" }); // half-restored
    exitFile(d!.job_dir, d!.job_id, 0);
    put(e, "exit.json", {}); // an exit.json of no known shape: the job ended, how is unknown
    put(f, "exit.json", "{"); // cut short: it must not come back queued and run again
    removeDb(paths.db);
    const opened = openChecked(paths, 1000);
    const s = opened.store;
    try {
      const report = opened.rebuilt!.report;
      assertEquals(report.restored, 3);
      assertEquals(
        report.conflicts.map((x) => x.slice(0, 12)).sort(),
        [a, b, c, d].map((j) => j!.job_id).sort(),
      );
      for (const j of [a, b, c, d]) assertEquals(s.get(j!.job_id), null);
      for (const j of [e, f]) {
        const r = s.get(j!.job_id)!;
        assertEquals([r.state, r.exit_code], ["failed", "E_INTERRUPTED"]);
        assertMatch(r.error!, /exit\.json is unreadable/);
      }
      assertEquals(s.get(g!.job_id)!.state, "queued");
    } finally {
      s.close();
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a rebuild cut short (barn.db migrated, no job restored yet) is done again at the next start", async () => {
  const home = tempHome("rebuildcut");
  const paths = prepareHome(home);
  try {
    const store = Store.open(paths);
    const a = store.insert([spec()])[0]!.job;
    const b = store.insert([spec({ key: "k" })])[0]!.job;
    store.close();
    // b was committed, and a crash came before its snapshot's rename.
    Deno.renameSync(`${b!.job_dir}/job.json`, `${b!.job_dir}/job.pending.json`);
    removeDb(paths.db);
    // What a service SIGKILLed during the rebuild leaves: the new DB has its schema, no job.
    Store.open(paths).close();
    const opened = openChecked(paths, 1000);
    const s = opened.store;
    try {
      assertMatch(opened.rebuilt?.reason ?? "", /no jobs while job dirs hold committed ones/);
      assertEquals(opened.rebuilt!.report.restored, 2);
      assertEquals(s.get(a!.job_id)!.state, "queued");
      // Never dropped as a submission that was not committed: held, its dir kept.
      assertEquals([s.get(b!.job_id)!.state, s.get(b!.job_id)!.latch], ["queued", "rebuild"]);
      assertEquals(opened.settled, { committed: 0, dropped: 0 });
    } finally {
      s.close();
    }
  } finally {
    await cleanupHome(home);
  }
});
