/** What an error from node:sqlite means for barn (pure): a lock, a full disk, damage, or something else. */

export type SqliteFailure = "busy" | "full" | "corrupt" | "readonly" | "other";

/** SQLite's primary result codes that barn tells apart. */
const BY_CODE: Record<number, SqliteFailure> = {
  5: "busy", // SQLITE_BUSY
  6: "busy", // SQLITE_LOCKED
  8: "readonly", // SQLITE_READONLY
  11: "corrupt", // SQLITE_CORRUPT
  13: "full", // SQLITE_FULL
  26: "corrupt", // SQLITE_NOTADB
};

/** node:sqlite sets `errcode` on statement errors but not on every exec error, so the text decides too. */
export function sqliteFailure(e: unknown): SqliteFailure | null {
  if (!(e instanceof Error) || (e as { code?: unknown }).code !== "ERR_SQLITE_ERROR") return null;
  const errcode = (e as { errcode?: unknown }).errcode;
  if (typeof errcode === "number" && BY_CODE[errcode & 0xff]) return BY_CODE[errcode & 0xff]!;
  const m = e.message;
  if (/database (table )?is locked|database is busy/i.test(m)) return "busy";
  if (/database or disk is full|disk I\/O error.*full/i.test(m)) return "full";
  if (/malformed|file is not a database|not a database/i.test(m)) return "corrupt";
  if (/readonly database/i.test(m)) return "readonly";
  return "other";
}
