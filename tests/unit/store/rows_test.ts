import { assert, assertEquals } from "../../helpers/assert.ts";
import { awkwardJobs } from "../../helpers/awkward_jobs.ts";
import {
  COLUMNS,
  fromRow,
  keptAsIs,
  pageQuery,
  QUOTED_COLUMNS,
  ROW_COLUMNS,
  toParams,
} from "../../../src/store/rows.ts";
import { jobDirFields } from "../../../src/store/job_dir.ts";
import { join } from "../../../src/platform/path.ts";
import { MIGRATIONS } from "../../../src/store/migrations.ts";
import { DatabaseSync } from "node:sqlite";

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
    `SELECT ${ROW_COLUMNS}, rowid AS _rowid FROM jobs  ORDER BY created_at ASC, rowid ASC LIMIT ?`,
  );
  // A record's columns, never `*`: the stored listing text stays unread.
  assert(!ROW_COLUMNS.includes("listing") && !ROW_COLUMNS.includes("*"));
});

Deno.test("keptAsIs: values SQLite gives back as written, and each kind it would not", () => {
  const good = toParams(awkwardJobs()[2]!.job);
  assertEquals(keptAsIs(good), true);
  // Values after COLUMNS (a listing's rowid) are not looked at.
  assertEquals(keptAsIs([...good, 7]), true);
  const at = (c: string) => COLUMNS.indexOf(c as (typeof COLUMNS)[number]);
  const spoiled: [string, unknown][] = [
    ["tag", "a\u0000b"], // read back cut at the NUL
    ["error", "x\ud800"], // read back with U+FFFD
    ["pid", "5"], // a string in an INTEGER column may turn into a number
    ["timeout_seconds", "1.5"],
    ["cwd", 5], // a number in a TEXT column turns into text
    ["pid", 2 ** 53], // past 2^53, read back as it can't be
    ["tag", true],
  ];
  for (const [col, v] of spoiled) {
    const row: unknown[] = [...good];
    row[at(col)] = v;
    assertEquals(keptAsIs(row), false, `${col} = ${String(v)}`);
  }
});

Deno.test("keptAsIs agrees with the schema: in every column, each probe value it calls kept reads back from a real jobs table as written (a column whose affinity it does not know would keep a stale listing text)", () => {
  const db = new DatabaseSync(":memory:");
  try {
    for (const m of MIGRATIONS) db.exec(m);
    const good = toParams(awkwardJobs()[2]!.job);
    const probes: unknown[] = ["5", "1.5", " 7", "x", 5, 1.5, -0, 2 ** 40, null];
    const insert = db.prepare(
      `INSERT INTO jobs (${QUOTED_COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`,
    );
    const read = db.prepare(`SELECT ${ROW_COLUMNS} FROM jobs WHERE job_id = ?`);
    let kept = 0;
    let n = 0;
    for (let c = 1; c < COLUMNS.length; c++) {
      for (const v of probes) {
        const row = [...good] as (string | number | null)[];
        row[0] = `probe${n++}`;
        row[c] = v as string | number | null;
        if (COLUMNS[c] === "key") row[c] = typeof v === "string" ? `${v}${n}` : v as number; // UNIQUE
        if (!keptAsIs(row)) continue;
        try {
          insert.run(...row);
        } catch {
          continue; // NOT NULL: a row barn never writes
        }
        const back = read.get(row[0])!;
        // As JSON: -0 reads back as 0, which prints the same.
        assertEquals(
          JSON.stringify(COLUMNS.map((k) => back[k])),
          JSON.stringify(row),
          `${COLUMNS[c]} = ${JSON.stringify(v)}`,
        );
        kept++;
      }
    }
    assert(kept > COLUMNS.length * 3, `${kept} probes kept`);
  } finally {
    db.close();
  }
});
