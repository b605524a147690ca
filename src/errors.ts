/** Typed errors with stable codes; every message says what was being done and what to do next. */

import { sqliteFailure } from "./store/sqlite_errors.ts";

/** Stable error codes. Job outcome codes (E_CANCELED, …) live in jobs/exit_codes.ts; E_TIMEOUT is both. */
export type ErrorCode =
  | "E_USAGE"
  | "E_NOT_FOUND"
  | "E_AMBIGUOUS"
  | "E_STATE"
  | "E_NO_SERVICE"
  | "E_WAIT_TIMEOUT"
  | "E_SANDBOX"
  | "E_UNSAFE_HOME"
  | "E_CONFIG"
  | "E_NOT_ALLOWED"
  | "E_SPAWN"
  | "E_PROTOCOL"
  | "E_FRAME_TOO_LARGE"
  | "E_BAD_REQUEST"
  | "E_STORE"
  | "E_STORE_BUSY"
  | "E_DISK_FULL"
  | "E_SCHEMA_NEWER"
  | "E_HOME_CHANGED"
  | "E_START_FAILED"
  | "E_IO"
  | "E_BUSY"
  | "E_EXISTS"
  | "E_NETWORK"
  | "E_VERIFY"
  | "E_SSH_UNREACHABLE"
  | "E_SSH_AUTH"
  | "E_BARN_MISSING"
  | "E_VERSION"
  | "E_TIMEOUT"
  | `E_HTTP_${number}`
  | "E_INTERNAL";

export class BarnError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BarnError";
    this.code = code;
  }
}

/** The wire and JSON shape of an error. */
export interface ErrorBody {
  code: string;
  message: string;
}

/** Turns anything thrown into `{code, message}`, keeping BarnError codes. */
export function toErrorBody(e: unknown): ErrorBody {
  if (e instanceof BarnError) return { code: e.code, message: e.message };
  if (e instanceof Deno.errors.NotCapable) {
    return {
      code: "E_SANDBOX",
      message: `${
        (e as Error).message
      }: barn's sandbox refused this (see docs/security.md for what it allows)`,
    };
  }
  const sqlite = sqliteFailure(e);
  if (sqlite === "busy") {
    return {
      code: "E_STORE_BUSY",
      message: `${(e as Error).message}: barn.db stayed locked by another process past ` +
        "busy_timeout; retry, or find the holder with `fuser` on BARN_HOME/barn.db",
    };
  }
  if (sqlite === "full") {
    return {
      code: "E_DISK_FULL",
      message: `${(e as Error).message}: the disk holding BARN_HOME is full; free space and retry`,
    };
  }
  if (sqlite !== null) return { code: "E_STORE", message: (e as Error).message };
  if (e instanceof Error && /\(os error 28\)|No space left on device/.test(e.message)) {
    return {
      code: "E_DISK_FULL",
      message: `${e.message}: the disk holding BARN_HOME is full; free space and retry`,
    };
  }
  if (e instanceof Error) return { code: "E_INTERNAL", message: e.message };
  return { code: "E_INTERNAL", message: String(e) };
}
