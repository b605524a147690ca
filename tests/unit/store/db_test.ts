import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { DatabaseSync } from "node:sqlite";
import { BarnError } from "../../../src/errors.ts";
import { Db } from "../../../src/store/db.ts";
import { MIGRATIONS } from "../../../src/store/migrations.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { checkListingTexts, recordText } from "../../helpers/store_fixture.ts";
import { prepareHome } from "../../../src/platform/home_layout.ts";
import { COLUMNS, QUOTED_COLUMNS, toParams } from "../../../src/store/rows.ts";
import { Store } from "../../../src/store/store.ts";

Deno.test("db: a schema newer than this barn knows is refused (E_SCHEMA_NEWER), not written", () => {
  const dir = tempHome("dbnew");
  try {
    const path = `${dir}/barn.db`;
    Db.open(path).close();
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const e = assertThrows(() => Db.open(path), BarnError);
    assertEquals(e.code, "E_SCHEMA_NEWER");
    assertMatch(e.message, /newer than this barn knows/);
    const check = new DatabaseSync(path);
    assertEquals(
      (check.prepare("PRAGMA user_version").get() as { user_version: number }).user_version,
      MIGRATIONS.length + 1,
    );
    check.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("db: migrations are additive and bring an empty file to the current version", () => {
  const dir = tempHome("dbmig");
  try {
    const db = Db.open(`${dir}/barn.db`);
    assertEquals(db.foundVersion, 0);
    assertEquals(db.settings(true).schema_version, MIGRATIONS.length);
    db.close();
    assertEquals(Db.open(`${dir}/barn.db`).foundVersion, MIGRATIONS.length);
    // Additive only: no migration drops or renames anything an older barn still writes.
    for (const m of MIGRATIONS) assertEquals(/\b(DROP|RENAME)\b/i.test(m), false, m);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("db: a durable transaction commits with synchronous=FULL and goes back to NORMAL", () => {
  const dir = tempHome("dbsync");
  try {
    const db = Db.open(`${dir}/barn.db`);
    const sync = () =>
      (db.raw.prepare("PRAGMA synchronous").get() as { synchronous: number }).synchronous;
    let inside = -1;
    db.tx(() => (inside = sync()), { durable: true });
    assertEquals([inside, sync()], [2, 1]);
    db.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("db: read runs its statements on one snapshot, and ends it (the next read sees new commits)", () => {
  const dir = tempHome("dbread");
  try {
    const db = Db.open(`${dir}/barn.db`);
    const other = Db.open(`${dir}/barn.db`);
    db.raw.exec("CREATE TABLE t (n INTEGER)");
    const count = () => (db.stmt("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n;
    const seen = db.read(() => {
      const first = count();
      // Another connection commits between two reads of one read(): the second one can't see it.
      other.tx(() => other.raw.exec("INSERT INTO t VALUES (1)"));
      return [first, count(), db.inTransaction];
    });
    assertEquals(seen, [0, 0, true]);
    assertEquals([count(), db.inTransaction], [1, false]);
    // Inside a write transaction a read is part of it.
    assertEquals(db.tx(() => db.read(() => count())), 1);
    other.close();
    db.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("db: a DB from before the listing texts (version 6) migrates: its rows have none and list as before; jobs that end from then on keep one", async () => {
  const home = tempHome("dbv6");
  try {
    const paths = prepareHome(home);
    const raw = new DatabaseSync(paths.db);
    for (const m of MIGRATIONS.slice(0, 6)) raw.exec(m);
    raw.exec("PRAGMA user_version = 6");
    const old = sampleJob({
      job_id: "oldjob000001",
      state: "succeeded",
      tag: 'an "old" one',
      finished_at: "2026-01-01T00:00:01.000Z",
      exit_code: 0,
      meta: { k: [1, { v: "é" }] },
    });
    raw.prepare(
      `INSERT INTO jobs (${QUOTED_COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")})`,
    ).run(...toParams(old));
    raw.close();
    const store = Store.open(paths);
    try {
      assertEquals(store.db.foundVersion, 6);
      assertEquals(checkListingTexts(store), { texts: 0, none: 1 });
      const id = store.insert([{ command: ["curl", "--version"], cwd: "/" }])[0]!.job.job_id;
      store.apply(id, { type: "cancel", reason: "no" });
      assertEquals(checkListingTexts(store), { texts: 1, none: 1 });
      const kinds: string[] = [];
      const records = Array.from(store.iterateListing({}), (r) => {
        kinds.push(typeof r);
        return recordText(r);
      });
      assertEquals(kinds, ["object", "string"]);
      assertEquals(
        `[\n${records.join(",\n")}\n]`,
        JSON.stringify(store.list({}), null, 2),
      );
    } finally {
      store.close();
    }
  } finally {
    await cleanupHome(home);
  }
});
