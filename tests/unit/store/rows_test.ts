import { assertEquals } from "../../helpers/assert.ts";
import { awkwardJobs } from "../../helpers/awkward_jobs.ts";
import { COLUMNS, fromRow, pageQuery, toParams } from "../../../src/store/rows.ts";
import { jobDirFields } from "../../../src/store/job_dir.ts";
import { join } from "../../../src/platform/path.ts";

Deno.test("toParams and fromRow: a record stored as a row reads back as the same record, whatever it holds", () => {
  for (const { job } of awkwardJobs()) {
    const dir = join("/tmp/barn/h", "jobs", job.job_id);
    const want = { ...job, ...jobDirFields(dir) };
    const values = toParams(job);
    assertEquals(values.length, COLUMNS.length);
    const back = fromRow(Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])), dir);
    assertEquals(JSON.stringify(back), JSON.stringify(want), job.job_id);
  }
});

Deno.test("pageQuery: the columns asked for, then the rowid; the cursor and the size as its last parameters", () => {
  const q = pageQuery({ tag: "t" }, { created_at: "2026", rowid: 7 }, 128, '"job_id"');
  assertEquals(
    q.sql,
    'SELECT "job_id", rowid AS _rowid FROM jobs WHERE tag = ? AND (created_at, rowid) < (?, ?) ORDER BY created_at DESC, rowid DESC LIMIT ?',
  );
  assertEquals(q.params, ["t", "2026", 7, 128]);
  const oldest = pageQuery({ oldest: true }, null, 5);
  assertEquals(
    oldest.sql,
    "SELECT *, rowid AS _rowid FROM jobs  ORDER BY created_at ASC, rowid ASC LIMIT ?",
  );
});
