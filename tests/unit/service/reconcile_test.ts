import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { reconcile } from "../../../src/service/reconcile.ts";
import { Store } from "../../../src/store/store.ts";
import { spec } from "../../helpers/store_fixture.ts";

Deno.test("reconcile: a running job whose exit.json is a FIFO or a dir is settled as interrupted, not left running at every pass", async () => {
  const home = tempHome("recfifo");
  const store = Store.open(prepareHome(home));
  try {
    const ids: string[] = [];
    for (const plant of ["fifo", "dir"]) {
      const job = store.insert([spec()])[0]!.job;
      // Its supervisor died after the start was recorded, before it spawned anything.
      store.apply(job.job_id, {
        type: "start",
        pid: null,
        supervisor: "keeper",
        supervisor_pid: 1,
      });
      const at = `${job.job_dir}/exit.json`;
      if (plant === "dir") Deno.mkdirSync(at);
      else {
        const made = new Deno.Command("mkfifo", { args: [at] }).outputSync();
        assertEquals(made.code, 0, "mkfifo");
      }
      ids.push(job.job_id);
    }
    const said: string[] = [];
    const r = await reconcile(store, (m) => said.push(m));
    assertEquals(r.interrupted.map((j) => j.job_id).sort(), [...ids].sort(), said.join("\n"));
    for (const id of ids) {
      const j = store.get(id)!;
      assertEquals([j.state, j.exit_code], ["failed", "E_INTERRUPTED"]);
      assertMatch(said.join("\n"), new RegExp(`job ${id}: its exit.json is not barn's`));
    }
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
