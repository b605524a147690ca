import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { BarnError } from "../../../src/errors.ts";
import { exitWith, RUN, spec } from "../../helpers/store_fixture.ts";

Deno.test("job updates: an event sets only the columns it changes, and the record reads back whole", async () => {
  const home = tempHome("updates");
  const store = Store.open(prepareHome(home));
  try {
    const id = store.insert([spec({ tag: "t" })])[0]!.job.job_id;
    // `UPDATE OF col` fires whenever col is in the SET list, changed or not.
    store.db.raw.exec(`
      CREATE TEMP TABLE set_cols (col TEXT);
      CREATE TEMP TRIGGER set_tag AFTER UPDATE OF tag ON jobs BEGIN INSERT INTO set_cols VALUES ('tag'); END;
      CREATE TEMP TRIGGER set_created AFTER UPDATE OF created_at ON jobs BEGIN INSERT INTO set_cols VALUES ('created_at'); END;
      CREATE TEMP TRIGGER set_state AFTER UPDATE OF state ON jobs BEGIN INSERT INTO set_cols VALUES ('state'); END;
    `);
    const started = store.apply(id, RUN);
    const ended = store.apply(id, exitWith(0), { exitWritten: true });
    const set = store.db.raw.prepare("SELECT col FROM set_cols").all().map((r) => r.col);
    assertEquals(set, ["state", "state"]);
    assertEquals(started.state, "running");
    assertEquals(store.get(id), ended);
    assertEquals([ended.state, ended.exit_code, ended.tag], ["succeeded", 0, "t"]);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("job updates: a pid is recorded only on a running job", async () => {
  const home = tempHome("updates");
  const store = Store.open(prepareHome(home));
  try {
    const id = store.insert([spec()])[0]!.job.job_id;
    const e = assertThrows(() => store.setPid(id, 4242), BarnError);
    assertEquals(e.code, "E_STATE");
    assertEquals(store.get(id)?.pid, null);
    const started = store.apply(id, RUN);
    store.setPid(id, 4242);
    const after = store.get(id)!;
    assertEquals(after.pid, 4242);
    assertEquals(after.heartbeat! >= started.heartbeat!, true);
    assertEquals({ ...after, pid: null, heartbeat: null }, { ...started, heartbeat: null });
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
