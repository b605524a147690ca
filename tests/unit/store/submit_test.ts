import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { exitWith, RUN, spec } from "../../helpers/store_fixture.ts";

Deno.test("submit: after's ids, prefixes and @names resolve; unknown ones roll the whole submission back", async () => {
  const home = tempHome("depref");
  const store = Store.open(prepareHome(home));
  try {
    const [a] = store.insert([spec({ name: "render", latch: "L" })]).map((r) => r.job);
    const refs = [a!.job_id, a!.job_id.slice(0, 5).toUpperCase(), "@render"];
    for (const ref of refs) {
      assertEquals(store.insert([spec({ after: [ref] })])[0]!.job.waiting_for, [a!.job_id]);
    }
    const before = store.count();
    const dirs = [...Deno.readDirSync(`${home}/jobs`)].length;
    const e = assertThrows(
      () => store.insert([spec(), spec({ after: ["@nosuch"] })]),
      BarnError,
    );
    assertEquals(e.code, "E_NOT_FOUND");
    assertMatch(e.message, /^job 2: after: no job is named 'nosuch'/);
    assertEquals([store.count(), [...Deno.readDirSync(`${home}/jobs`)].length], [before, dirs]);
    // A name is unique among unfinished jobs only.
    const taken = assertThrows(() => store.insert([spec({ name: "render" })]), BarnError);
    assertEquals(taken.code, "E_EXISTS");
    // Two lines of one submission with one name: E_EXISTS naming both, nothing stored.
    const twice = assertThrows(
      () => store.insert([spec({ name: "twin" }), spec(), spec({ name: "twin" })]),
      BarnError,
    );
    assertEquals(twice.code, "E_EXISTS");
    assertMatch(twice.message, /^job 3: the name 'twin' is also given to job 1 of this submission/);
    assertEquals([store.count(), [...Deno.readDirSync(`${home}/jobs`)].length], [before, dirs]);
    store.apply(a!.job_id, { type: "cancel", reason: "test" });
    const [b] = store.insert([spec({ name: "render" })]).map((r) => r.job);
    assertEquals(store.resolve("@render").job_id, b!.job_id);
    store.apply(b!.job_id, { type: "cancel", reason: "test" });
    // Both finished: the newest.
    assertEquals(store.resolve("@render").job_id, b!.job_id);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("submit: after a job that already failed, a new job is canceled at once; a succeeded one is no wait", async () => {
  const home = tempHome("depdone");
  const store = Store.open(prepareHome(home));
  try {
    const [ok, bad] = store.insert([spec(), spec()]).map((r) => r.job);
    for (const [j, code] of [[ok!, 0], [bad!, 1]] as const) {
      store.apply(j.job_id, RUN);
      store.apply(j.job_id, exitWith(code));
    }
    const [x, y, z] = store.insert([
      spec({ after: [ok!.job_id] }),
      spec({ label: "y", after: [bad!.job_id, ok!.job_id] }),
      spec({ after: ["y"] }),
    ]).map((r) => r.job);
    assertEquals([x!.state, x!.waiting_for], ["queued", []]);
    assertEquals([y!.state, y!.exit_code], ["canceled", "E_DEPENDENCY"]);
    assertEquals([z!.state, z!.exit_code], ["canceled", "E_DEPENDENCY"]);
    assertMatch(z!.error!, new RegExp(`^job ${bad!.job_id} failed.*through job ${y!.job_id}`));
    // A later job after a job canceled that way names the job that failed, not the cancel.
    const [w] = store.insert([spec({ after: [z!.job_id] })]).map((r) => r.job);
    assertMatch(w!.error!, new RegExp(`^job ${bad!.job_id} failed.*through job ${z!.job_id}`));
    assertEquals(
      JSON.parse(Deno.readTextFileSync(`${w!.job_dir}/job.json`)).after,
      [z!.job_id],
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
