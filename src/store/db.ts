/** barn.db's connection: node:sqlite in WAL mode, the busy timeout, migrations, transactions, cached statements. */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { BarnError } from "../errors.ts";
import { fileIdentity } from "../platform/files.ts";
import { MIGRATIONS } from "./migrations.ts";
import { sqliteFailure } from "./sqlite_errors.ts";

export type Row = Record<string, unknown>;

export interface DbOptions {
  /** How long a statement waits for another process's lock before failing (E_STORE_BUSY). */
  busyTimeoutMs: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/** The SQLite settings in force, as `service status` reports them. */
export interface DbSettings {
  path: string;
  journal_mode: string;
  synchronous: string;
  /** Whether new jobs are committed with synchronous=FULL (durable across power loss). */
  submit_synchronous: string;
  busy_timeout_ms: number;
  schema_version: number;
}

const SYNC_NAMES = ["OFF", "NORMAL", "FULL", "EXTRA"];

/** One open barn.db. Every write goes through `tx`, so writers queue on the busy timeout. */
export class Db {
  readonly #stmts = new Map<string, StatementSync>();
  #inode: string | null;

  private constructor(
    readonly raw: DatabaseSync,
    readonly path: string,
    readonly opts: DbOptions,
    /** The schema version found at open, before migrations: 0 means barn.db was new or empty. */
    readonly foundVersion: number,
    readonly readOnly = false,
  ) {
    this.#inode = fileIdentity(path, true);
  }

  /** Opens (creating and migrating) the DB file with WAL, the busy timeout and 0600 mode. */
  static open(path: string, opts: DbOptions = { busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS }): Db {
    let db: DatabaseSync | null = null;
    try {
      // SQLite follows links; barn's DB is its own file, reached through none.
      if (isLink(path)) {
        throw new BarnError(
          "E_UNSAFE_HOME",
          `${path} is a link; barn keeps its DB as a plain file: move the link away`,
        );
      }
      db = new DatabaseSync(path);
      try {
        Deno.chmodSync(path, 0o600);
      } catch { /* Windows */ }
      db.exec(`PRAGMA busy_timeout = ${Math.round(opts.busyTimeoutMs)}`);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA foreign_keys = ON");
      const found = migrate(db, path);
      return new Db(db, path, opts, found);
    } catch (e) {
      try {
        db?.close();
      } catch { /* never opened */ }
      throw storeError(e, "opening barn.db", path, opts.busyTimeoutMs);
    }
  }

  /**
   * An existing barn.db, read-only (commands without a service, export): WAL lets it read beside a
   * live writer, and it never creates, chmods or migrates the file. Null when there is no file. A
   * schema other than this barn's is refused, not read wrongly.
   */
  static openReadOnly(path: string, opts: DbOptions): Db | null {
    try {
      if (!Deno.lstatSync(path).isFile) {
        throw new BarnError(
          "E_UNSAFE_HOME",
          `${path} is not a plain file; barn reads no DB through a link: move it away`,
        );
      }
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
    let db: DatabaseSync | null = null;
    try {
      db = new DatabaseSync(path, { readOnly: true });
      db.exec(`PRAGMA busy_timeout = ${Math.round(opts.busyTimeoutMs)}`);
      const version = (db.prepare("PRAGMA user_version").get() as Row).user_version as number;
      if (version > MIGRATIONS.length) {
        throw new BarnError(
          "E_SCHEMA_NEWER",
          `${path} has schema version ${version}, newer than this barn knows ` +
            `(${MIGRATIONS.length}): read it with the newer barn (check \`barn --version\`)`,
        );
      }
      if (version < MIGRATIONS.length) {
        throw new BarnError(
          "E_STORE",
          `${path} has schema version ${version}, older than this barn's (${MIGRATIONS.length}), ` +
            "and reading without a service never migrates it: start the service once " +
            "(`barn service start`), then ask again",
        );
      }
      return new Db(db, path, opts, version, true);
    } catch (e) {
      try {
        db?.close();
      } catch { /* never opened */ }
      throw storeError(e, "reading barn.db", path, opts.busyTimeoutMs);
    }
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

  /**
   * Every row of a query as an array of its values, in the SELECT's order: cheaper than an
   * object per row when rows are many (a listing). Its statement is cached apart from `stmt`'s.
   */
  arrays(sql: string, params: readonly (string | number | null)[]): unknown[][] {
    const key = "arrays:" + sql;
    let s = this.#stmts.get(key);
    if (!s) {
      s = this.raw.prepare(sql);
      // node:sqlite has it (Node 24, Deno 2.9); Deno's types don't name it yet.
      (s as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
      this.#stmts.set(key, s);
    }
    return s.all(...params) as unknown as unknown[][];
  }

  /** How many statements are cached. */
  get cachedStatements(): number {
    return this.#stmts.size;
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction, so writers queue on the busy timeout instead of
   * failing. With `durable`, the commit is synchronous=FULL: it survives power loss, not only a
   * crash. Failures come back typed (E_STORE_BUSY, E_DISK_FULL, E_STORE).
   */
  tx<T>(fn: () => T, opts: { durable?: boolean } = {}): T {
    if (opts.durable) this.raw.exec("PRAGMA synchronous = FULL");
    try {
      this.stmt("BEGIN IMMEDIATE").run();
    } catch (e) {
      if (opts.durable) this.raw.exec("PRAGMA synchronous = NORMAL");
      throw storeError(e, "starting a write", this.path, this.opts.busyTimeoutMs);
    }
    this.#inTx = true;
    try {
      const out = fn();
      this.stmt("COMMIT").run();
      return out;
    } catch (e) {
      try {
        this.raw.exec("ROLLBACK");
      } catch { /* no transaction left */ }
      if (sqliteFailure(e) === "full") this.#releaseWal();
      throw storeError(e, "writing", this.path, this.opts.busyTimeoutMs);
    } finally {
      this.#inTx = false;
      if (opts.durable) this.raw.exec("PRAGMA synchronous = NORMAL");
    }
  }

  #inTx = false;

  /**
   * Runs `fn`'s reads in one deferred transaction: one snapshot, one lock and one page cache for
   * all of them, instead of one of each per statement. Inside a transaction `fn` is part of it.
   */
  read<T>(fn: () => T): T {
    if (this.#inTx) return fn();
    try {
      this.stmt("BEGIN").run();
    } catch (e) {
      throw storeError(e, "starting a read", this.path, this.opts.busyTimeoutMs);
    }
    this.#inTx = true;
    try {
      return fn();
    } finally {
      this.#inTx = false;
      try {
        this.stmt("COMMIT").run();
      } catch {
        this.raw.exec("ROLLBACK");
      }
    }
  }

  /** Whether a transaction of `tx` is open: the connection can't be swapped inside one. */
  get inTransaction(): boolean {
    return this.#inTx;
  }

  /**
   * On a full disk the WAL keeps every page it holds until a checkpoint (SQLite checkpoints by
   * itself only at 1000 pages), so freed space never comes back to the next write: fold it into
   * the DB and truncate it, as far as the disk allows.
   */
  #releaseWal(): void {
    try {
      this.raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch { /* still full: the next try may do better */ }
  }

  /** True when the file at `path` is no longer the one this connection has open (moved aside, deleted). */
  replaced(): boolean {
    return fileIdentity(this.path, true) !== this.#inode;
  }

  settings(durableSubmit: boolean): DbSettings {
    const one = (sql: string) => Object.values(this.raw.prepare(sql).get() as Row)[0];
    return {
      path: this.path,
      journal_mode: String(one("PRAGMA journal_mode")),
      synchronous: SYNC_NAMES[Number(one("PRAGMA synchronous"))] ?? "?",
      submit_synchronous: durableSubmit ? "FULL" : "NORMAL",
      busy_timeout_ms: Number(one("PRAGMA busy_timeout")),
      schema_version: Number(one("PRAGMA user_version")),
    };
  }

  close(): void {
    this.#stmts.clear();
    this.raw.close();
  }
}

function isLink(path: string): boolean {
  try {
    return Deno.lstatSync(path).isSymlink;
  } catch {
    return false;
  }
}

/** A node:sqlite failure as barn's typed error, naming the DB and the next step; BarnErrors pass. */
export function storeError(e: unknown, doing: string, path: string, busyMs: number): unknown {
  if (e instanceof BarnError) return e;
  const why = (e as Error)?.message ?? String(e);
  switch (sqliteFailure(e)) {
    case "busy":
      return new BarnError(
        "E_STORE_BUSY",
        `${doing}: ${path} stayed locked by another process for more than busy_timeout ` +
          `(${
            busyMs / 1000
          }s); find the holder with \`fuser ${path}\`, or raise busy_timeout in config.json`,
        { cause: e },
      );
    case "full":
      return new BarnError(
        "E_DISK_FULL",
        `${doing}: the disk holding ${path} is full (${why}); free space, then retry`,
        { cause: e },
      );
    case null:
      return e;
    default:
      return new BarnError("E_STORE", `${doing} ${path}: ${why}`, { cause: e });
  }
}

/** Brings the schema up to date; returns the version it found. */
function migrate(db: DatabaseSync, path: string): number {
  const row = db.prepare("PRAGMA user_version").get() as Row;
  const version = row.user_version as number;
  if (version > MIGRATIONS.length) {
    throw new BarnError(
      "E_SCHEMA_NEWER",
      `${path} has schema version ${version}, newer than this barn knows (${MIGRATIONS.length}): ` +
        "a newer barn wrote it, and this one will not write to it. Run the newer barn (check " +
        "`barn --version` and the binary the service runs), or stop it before downgrading",
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
  return version;
}
