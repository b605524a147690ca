import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { exitWith, RUN, spec } from "../../helpers/store_fixture.ts";

Deno.test("dependencies: a success frees the dependents in the end's transaction, a failure cancels them all with their exit.json", async () => {
  const home = tempHome("deps");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b, c, d] = store.insert([
      spec({ label: "a" }),
      spec({ label: "b", after: ["a"] }),
      spec({ label: "c", after: ["b", "a"] }),
      spec({ after: ["c"] }),
    ]).map((r) => r.job);
    assertEquals([b!.waiting_for, c!.waiting_for], [[a!.job_id], [b!.job_id, a!.job_id]]);
    assertEquals(d!.after, [c!.job_id]);
    // Only `a` is ready.
    assertEquals(store.nextQueued("probe", 10).map((j) => j.job_id), [a!.job_id]);
    store.apply(a!.job_id, RUN);
    store.apply(a!.job_id, exitWith(0));
    assertEquals(store.get(b!.job_id)!.waiting_for, []);
    assertEquals(store.get(c!.job_id)!.waiting_for, [b!.job_id]);
    assertEquals(store.nextQueued("probe", 10).map((j) => j.job_id), [b!.job_id]);
    store.apply(b!.job_id, RUN);
    store.apply(b!.job_id, exitWith(3));
    for (const [id, via] of [[c!.job_id, null], [d!.job_id, c!.job_id]] as const) {
      const j = store.get(id)!;
      assertEquals([j.state, j.exit_code, j.waiting_for], ["canceled", "E_DEPENDENCY", []]);
      assertMatch(j.error!, new RegExp(`^job ${b!.job_id} failed \\(exit_code 3\\)`));
      if (via) assertMatch(j.error!, new RegExp(`through job ${via}`));
      const exit = JSON.parse(Deno.readTextFileSync(`${j.job_dir}/exit.json`));
      assertEquals(exit.final.exit_code, "E_DEPENDENCY");
    }
    const events = store.eventsSince(0, undefined).filter((e) => e.state === "canceled");
    assertEquals(events.map((e) => e.job_id), [c!.job_id, d!.job_id]);
    assertEquals((store.db.stmt("SELECT COUNT(*) AS n FROM job_deps").get() as { n: number }).n, 0);
    assertEquals(store.settleDependencies(), 0);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("settleDependencies: an end its dependents never heard of, or a job that is gone", async () => {
  const home = tempHome("settle");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b, c, d] = store.insert([
      spec({ label: "a" }),
      spec({ label: "b", after: ["a"] }),
      spec({ label: "c", after: ["b"] }),
      spec({ after: ["a"] }),
    ]).map((r) => r.job);
    // What a rebuild produces: a ended (its exit.json), the edges still there.
    store.db.stmt("UPDATE jobs SET state = 'failed', exit_code = '1' WHERE job_id = ?").run(
      a!.job_id,
    );
    assertEquals(store.settleDependencies(), 2);
    for (const j of [b!, c!, d!]) assertEquals(store.get(j.job_id)!.exit_code, "E_DEPENDENCY");
    assertEquals(store.settleDependencies(), 0);
    const [e, f] = store.insert([spec({ label: "e" }), spec({ after: ["e"] })]).map((r) => r.job);
    store.db.stmt("DELETE FROM jobs WHERE job_id = ?").run(e!.job_id);
    assertEquals(store.settleDependencies(), 1);
    const gone = store.get(f!.job_id)!;
    assertEquals(gone.exit_code, "E_DEPENDENCY");
    assertMatch(
      gone.error!,
      new RegExp(`job ${e!.job_id}, which this job runs after, no longer exists`),
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
