import { assertEquals } from "../../helpers/assert.ts";
import { DatabaseSync } from "node:sqlite";
import { sqliteFailure } from "../../../src/store/sqlite_errors.ts";
import { tempHome } from "../../helpers/barn.ts";

function err(message: string, errcode?: number): Error {
  return Object.assign(
    new Error(message),
    { code: "ERR_SQLITE_ERROR" },
    errcode ? { errcode } : {},
  );
}

Deno.test("sqlite failures: by result code first, else by text; other errors are not sqlite's", () => {
  assertEquals(sqliteFailure(err("database is locked", 5)), "busy");
  assertEquals(sqliteFailure(err("x", 517)), "busy"); // SQLITE_BUSY_SNAPSHOT: extended codes keep the primary
  assertEquals(sqliteFailure(err("database is locked")), "busy");
  assertEquals(sqliteFailure(err("database or disk is full", 13)), "full");
  assertEquals(sqliteFailure(err("database disk image is malformed", 11)), "corrupt");
  assertEquals(sqliteFailure(err("file is not a database", 26)), "corrupt");
  assertEquals(sqliteFailure(err("no such table: x", 1)), "other");
  assertEquals(sqliteFailure(new Error("database is locked")), null);
  assertEquals(sqliteFailure("database is locked"), null);
});

Deno.test("sqlite failures: real errors from node:sqlite are classified", () => {
  const dir = tempHome("sqlerr");
  try {
    Deno.writeTextFileSync(`${dir}/bad.db`, "not a database at all ".repeat(100));
    let caught: unknown;
    try {
      new DatabaseSync(`${dir}/bad.db`).prepare("PRAGMA integrity_check").all();
    } catch (e) {
      caught = e;
    }
    assertEquals(sqliteFailure(caught), "corrupt");
    const a = new DatabaseSync(`${dir}/l.db`);
    a.exec("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)");
    const b = new DatabaseSync(`${dir}/l.db`);
    b.exec("PRAGMA busy_timeout = 10");
    caught = undefined;
    try {
      b.prepare("SELECT * FROM t").all();
    } catch (e) {
      caught = e;
    }
    assertEquals(sqliteFailure(caught), "busy");
    a.exec("ROLLBACK");
    a.close();
    b.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
