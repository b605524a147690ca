import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { exitWith, RUN, spec } from "../../helpers/store_fixture.ts";

Deno.test("clean: named jobs all finished or nothing goes; filters; dry runs keep everything", async () => {
  const home = tempHome("cleansel");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b, c, q] = store.insert([
      spec({ tag: "t" }),
      spec({ tag: "t" }),
      spec({ tag: "u" }),
      spec({ tag: "t" }),
    ]).map((r) => r.job);
    for (const [j, code] of [[a!, 0], [b!, 1], [c!, 0]] as const) {
      store.apply(j.job_id, RUN);
      store.apply(j.job_id, exitWith(code));
    }
    const e = assertThrows(
      () => store.clean({ kind: "ids", ids: [a!.job_id, q!.job_id] }),
      BarnError,
    );
    assertEquals(e.code, "E_STATE");
    assertEquals(store.count(), 4);
    const dry = store.clean({ kind: "filter", tag: "t" }, true);
    assertEquals(dry.map((j) => j.job_id), [a!.job_id, b!.job_id]);
    assertEquals(store.count(), 4);
    assertEquals(
      store.clean({ kind: "filter", tag: "t", state: "failed" }).map((j) => j.job_id),
      [b!.job_id],
    );
    assertEquals(store.get(b!.job_id), null);
    assertEquals(
      store.clean({ kind: "filter", finishedBefore: "2000-01-01T00:00:00.000Z" }),
      [],
    );
    assertEquals(
      store.clean({ kind: "ids", ids: [c!.job_id, c!.job_id.slice(0, 6)] }).map((j) => j.job_id),
      [c!.job_id],
    );
    // The batch's journal (named after its first job) stays while any of its jobs has a dir.
    assertEquals(
      [...Deno.readDirSync(`${home}/jobs`)].map((d) => d.name).sort(),
      [a!.job_id, `${a!.job_id}.batch.json`, q!.job_id].sort(),
    );
    store.apply(q!.job_id, { type: "cancel", reason: "test" });
    assertEquals(store.clean({ kind: "ids", ids: [q!.job_id] }).length, 1);
    assertEquals(
      [...Deno.readDirSync(`${home}/jobs`)].map((d) => d.name).sort(),
      [a!.job_id, `${a!.job_id}.batch.json`].sort(),
    );
    // Its last job cleaned, the journal goes too.
    assertEquals(store.clean({ kind: "ids", ids: [a!.job_id] }).length, 1);
    assertEquals([...Deno.readDirSync(`${home}/jobs`)].map((d) => d.name), []);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
