import { assert, assertEquals } from "../../helpers/assert.ts";
import { awkwardJobs } from "../../helpers/awkward_jobs.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { checkListingTexts, exitWith, RUN, spec } from "../../helpers/store_fixture.ts";
import type { Job } from "../../../src/jobs/job.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { writeRow } from "../../../src/store/job_rows.ts";
import { COLUMNS, keptAsIs, ROW_COLUMNS, toParams } from "../../../src/store/rows.ts";
import { Store } from "../../../src/store/store.ts";

/** Finished records of every awkward kind, each under its own id, as a restore puts them back. */
function finishedAwkward(): Job[] {
  return awkwardJobs().filter((a) => a.plain).map(({ job }, i) => ({
    ...job,
    state: i % 2 ? "failed" : "succeeded",
    finished_at: "2026-01-01T00:00:03.000Z",
    key: job.key === null ? null : `${job.key}${i}`,
  }));
}

Deno.test("job rows: an end keeps the record's listing text, a restore too, and what SQLite gives back is what was written where keptAsIs says so", async () => {
  const home = tempHome("rowtexts");
  const store = Store.open(prepareHome(home));
  try {
    const [a, b] = store.insert([spec(), spec({ tag: "t" })]).map((r) => r.job);
    store.apply(a!.job_id, RUN);
    assertEquals(checkListingTexts(store), { texts: 0, none: 2 }, "unfinished jobs have none");
    store.apply(a!.job_id, exitWith(3), { exitWritten: true });
    store.apply(b!.job_id, { type: "cancel", reason: "no" });
    assertEquals(checkListingTexts(store), { texts: 2, none: 0 });
    const jobs = finishedAwkward();
    for (const j of jobs) assert(store.restore(j));
    const kept = jobs.filter((j) => keptAsIs(toParams(j)));
    assert(kept.length >= 6 && kept.length < jobs.length, `${kept.length} of ${jobs.length}`);
    // Those SQLite would change have no text; the others read back as they were written.
    assertEquals(checkListingTexts(store), {
      texts: 2 + kept.length,
      none: jobs.length - kept.length,
    });
    const read = store.db.raw.prepare(`SELECT ${ROW_COLUMNS} FROM jobs WHERE job_id = ?`);
    for (const j of kept) {
      const row = read.get(j.job_id)!;
      assertEquals(COLUMNS.map((c) => row[c]), toParams(j), j.job_id);
    }
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("job rows: a write that changes a finished row replaces its listing text or clears it; one that forgets it clears it (the trigger), never leaving it stale", async () => {
  const home = tempHome("rowstale");
  const store = Store.open(prepareHome(home));
  try {
    const ids = store.insert([spec(), spec(), spec(), spec()]).map((r) => r.job.job_id);
    for (const id of ids) store.apply(id, { type: "cancel", reason: "no" });
    assertEquals(checkListingTexts(store), { texts: 4, none: 0 });
    const [edited, requeued, raw, rawText] = ids.map((id) => store.get(id)!);
    // A finished record edited through writeRow: a new text for it.
    writeRow(store, { ...edited!, tag: "edited", meta: { k: ["v"] } }, edited!);
    // Sent back to the queue (a requeue): no text.
    writeRow(store, { ...requeued!, state: "queued", finished_at: null }, requeued!);
    // Raw UPDATEs that know nothing of the text, as a test or a future path might write.
    store.db.raw.prepare(
      "UPDATE jobs SET state = 'running', finished_at = NULL WHERE job_id = ?",
    ).run(raw!.job_id);
    store.db.raw.prepare("UPDATE jobs SET error = 'x' WHERE job_id = ?").run(rawText!.job_id);
    assertEquals(checkListingTexts(store), { texts: 1, none: 3 });
    const has = store.db.raw.prepare("SELECT listing IS NOT NULL AS t FROM jobs WHERE job_id = ?");
    assertEquals(has.get(edited!.job_id)!.t, 1);
    assertEquals(store.get(edited!.job_id)!.tag, "edited");
  } finally {
    store.close();
    await cleanupHome(home);
  }
});

Deno.test("job rows: the trigger writes nothing more for a row without a text, and once for a row whose text an UPDATE leaves", async () => {
  const home = tempHome("rowtrigger");
  const store = Store.open(prepareHome(home));
  try {
    const [running, done] = store.insert([spec(), spec()]).map((r) => r.job.job_id);
    store.apply(running!, RUN);
    store.apply(done!, { type: "cancel", reason: "no" });
    const changes = () => store.db.raw.prepare("SELECT total_changes() AS n").get()!.n as number;
    const before = changes();
    store.heartbeat([running!]);
    store.setProgress(running!, { percent: 5 } as Job["progress"], false);
    assertEquals(changes() - before, 2, "one row each, no trigger write");
    const at = changes();
    store.db.raw.prepare("UPDATE jobs SET tag = 'x' WHERE job_id = ?").run(done!);
    assertEquals(changes() - at, 2, "the UPDATE and the trigger's");
    assertEquals(checkListingTexts(store), { texts: 0, none: 2 });
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
