/** The published exit-code table (docs/exit-codes.md): barn's own codes and symbolic job outcomes. */

import type { ErrorCode } from "../errors.ts";

/** Exit codes of barn itself, chosen above 99 so they rarely collide with a job's own code. */
export const BARN_EXIT: Record<Exclude<ErrorCode, `E_HTTP_${number}`>, number> = {
  E_USAGE: 2,
  E_NO_SERVICE: 100,
  E_NOT_FOUND: 101,
  E_AMBIGUOUS: 101,
  E_STATE: 102,
  E_WAIT_TIMEOUT: 103,
  E_SANDBOX: 104,
  E_UNSAFE_HOME: 104,
  E_CONFIG: 105,
  E_NOT_ALLOWED: 126,
  E_SPAWN: 127,
  E_PROTOCOL: 106,
  E_FRAME_TOO_LARGE: 106,
  E_BAD_REQUEST: 106,
  E_STORE: 107,
  E_IO: 107,
  E_STORE_BUSY: 116,
  E_DISK_FULL: 117,
  E_HOME_CHANGED: 118,
  E_START_FAILED: 119,
  E_SCHEMA_NEWER: 120,
  E_BUSY: 108,
  E_EXISTS: 109,
  E_NETWORK: 114,
  E_VERIFY: 113,
  // barn-fleet: a host that did not answer (docs/fleet.md)
  E_SSH_UNREACHABLE: 121,
  E_SSH_AUTH: 122,
  E_BARN_MISSING: 123,
  E_VERSION: 106,
  E_TIMEOUT: 124,
  E_INTERNAL: 1,
};

/** Symbolic job outcomes: barn decided how the job ended. */
export const OUTCOME_EXIT = {
  E_SPAWN: 127,
  E_NOT_ALLOWED: 126,
  E_TIMEOUT: 124,
  E_CANCELED: 130,
  E_DEPENDENCY: 125,
  E_INTERRUPTED: 110,
  E_SANDBOX: 104,
  E_STALLED: 111,
  E_NO_OUTPUT: 112,
  E_VERIFY: 113,
  E_NETWORK: 114,
  E_HTTP: 115,
  E_EXISTS: 109,
  E_START_FAILED: 119,
  E_DISK_FULL: 117,
} as const;

export type OutcomeCode = keyof typeof OUTCOME_EXIT;

/** Exit code for a job's `exit_code` field: integers pass through, symbolic codes map per the table. */
export function exitCodeFor(exitCode: number | string | null): number {
  if (exitCode === null) return 0;
  if (typeof exitCode === "number") return exitCode;
  if (exitCode in OUTCOME_EXIT) return OUTCOME_EXIT[exitCode as OutcomeCode];
  // E_HTTP_404 and friends share the HTTP row.
  if (exitCode.startsWith("E_HTTP_")) return OUTCOME_EXIT.E_HTTP;
  return 1;
}

/** Signal name → number, for the 128+N convention of shells. */
export const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGXCPU: 24,
  SIGXFSZ: 25,
};

/** The process exit code for an error barn itself reports. */
export function exitForError(code: string): number {
  if (code in BARN_EXIT) return BARN_EXIT[code as keyof typeof BARN_EXIT];
  if (code.startsWith("E_HTTP_")) return OUTCOME_EXIT.E_HTTP;
  return 1;
}
