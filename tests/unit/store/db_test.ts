import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { DatabaseSync } from "node:sqlite";
import { BarnError } from "../../../src/errors.ts";
import { Db } from "../../../src/store/db.ts";
import { MIGRATIONS } from "../../../src/store/migrations.ts";
import { tempHome } from "../../helpers/barn.ts";

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
