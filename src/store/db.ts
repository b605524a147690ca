/** barn.db's connection: node:sqlite in WAL mode, the busy timeout, migrations, transactions, cached statements. */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { BarnError } from "../errors.ts";
import { MIGRATIONS } from "./migrations.ts";

export type Row = Record<string, unknown>;

/** One open barn.db. Every write goes through `tx`, so writers queue on the busy timeout. */
export class Db {
  readonly #stmts = new Map<string, StatementSync>();

  private constructor(readonly raw: DatabaseSync) {}

  /** Opens (creating and migrating) the DB file with WAL, a busy timeout and 0600 mode. */
  static open(path: string): Db {
    const db = new DatabaseSync(path);
    try {
      Deno.chmodSync(path, 0o600);
    } catch { /* Windows */ }
    db.exec("PRAGMA busy_timeout = 10000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db);
    return new Db(db);
  }

  /** A prepared statement, cached by its text: callers keep the set of texts bounded. */
  stmt(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** How many statements are cached. */
  get cachedStatements(): number {
    return this.#stmts.size;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction, so writers queue on the busy timeout instead of failing. */
  tx<T>(fn: () => T): T {
    this.raw.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.raw.exec("COMMIT");
      return out;
    } catch (e) {
      try {
        this.raw.exec("ROLLBACK");
      } catch { /* no transaction left */ }
      throw e;
    }
  }

  close(): void {
    this.#stmts.clear();
    this.raw.close();
  }
}

function migrate(db: DatabaseSync): void {
  const row = db.prepare("PRAGMA user_version").get() as Row;
  const version = row.user_version as number;
  if (version > MIGRATIONS.length) {
    throw new BarnError(
      "E_STORE",
      `barn.db has schema version ${version}, newer than this barn knows (${MIGRATIONS.length}): upgrade barn`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      // Another process may have migrated while we waited for the lock.
      const now = (db.prepare("PRAGMA user_version").get() as Row).user_version as number;
      if (now <= v) {
        db.exec(MIGRATIONS[v]!);
        db.exec(`PRAGMA user_version = ${v + 1}`);
      }
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  }
}
