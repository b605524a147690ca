import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import type { JobSpec } from "../../../src/jobs/job.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { openChecked } from "../../../src/store/recovery.ts";
import { Store } from "../../../src/store/store.ts";

function spec(over: Partial<JobSpec> = {}): JobSpec {
  return { command: ["ffprobe", "-version"], cwd: "/tmp/barn", ...over };
}

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
    for (const ext of ["", "-wal", "-shm"]) {
      try {
        Deno.removeSync(paths.db + ext);
      } catch { /* absent */ }
    }
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
    } finally {
      s.close();
    }
  } finally {
    await cleanupHome(home);
  }
});
