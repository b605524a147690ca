import { assert, assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { type HomePaths, prepareHome } from "../../../src/platform/home_layout.ts";
import { Store } from "../../../src/store/store.ts";
import { spec } from "../../helpers/store_fixture.ts";

/** What a rebuild does to barn.db under a running process: moves it aside and makes a new one. */
function replaceDb(paths: HomePaths): string {
  const db = paths.db;
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      Deno.renameSync(db + suffix, `${db}.aside${suffix}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const fresh = Store.open(paths);
  try {
    return fresh.insert([spec()])[0]!.job.job_id;
  } finally {
    fresh.close();
  }
}

Deno.test("store: a barn.db replaced under it is reopened before the next transaction, never inside one", async () => {
  const home = tempHome("reopen");
  const paths = prepareHome(home);
  const store = Store.open(paths);
  try {
    const old = store.insert([spec()])[0]!.job.job_id;
    const newer = replaceDb(paths);
    assertEquals(store.get(newer)?.job_id, newer, "the next read is on the new file");
    assertEquals(store.get(old), null);

    const conn = store.db;
    let newest = "";
    store.db.tx(() => {
      newest = replaceDb(paths);
      assert(store.db === conn, "inside a transaction the connection it began on stays");
      store.db.stmt("SELECT 1").get();
    });
    assert(store.db !== conn, "after it, the new file is opened");
    assertEquals(store.get(newest)?.job_id, newest);
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
